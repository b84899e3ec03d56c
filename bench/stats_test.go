package bench

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name    string
		samples []float64
		want    Stats
	}{
		{"one", []float64{3}, Stats{N: 1, Median: 3, Min: 3, Max: 3}},
		{"odd unsorted", []float64{5, 1, 3}, Stats{N: 3, Median: 3, Min: 1, Max: 5}},
		{"even takes the mean of the middle two", []float64{4, 1, 2, 10}, Stats{N: 4, Median: 3, Min: 1, Max: 10}},
		{"duplicates", []float64{2, 2, 2, 9, 2}, Stats{N: 5, Median: 2, Min: 2, Max: 9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]float64(nil), tc.samples...)
			require.Equal(t, tc.want, Summarize(tc.samples))
			require.Equal(t, in, tc.samples, "Summarize must not reorder its input")
		})
	}
	t.Run("empty", func(t *testing.T) {
		s := Summarize(nil)
		require.Zero(t, s.N)
		require.True(t, math.IsNaN(s.Median) && math.IsNaN(s.Min) && math.IsNaN(s.Max))
	})
}

func TestRatio(t *testing.T) {
	tests := []struct {
		name     string
		fl, base float64
		better   Better
		want     float64
	}{
		{"throughput win", 200, 100, HigherIsBetter, 2},
		{"throughput loss", 50, 100, HigherIsBetter, 0.5},
		{"latency win", 10, 40, LowerIsBetter, 4},
		{"latency loss", 40, 10, LowerIsBetter, 0.25},
		{"zero baseline throughput", 10, 0, HigherIsBetter, math.NaN()},
		{"zero fhirlake latency", 0, 10, LowerIsBetter, math.NaN()},
		{"NaN", math.NaN(), 10, HigherIsBetter, math.NaN()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Ratio(tc.fl, tc.base, tc.better)
			if math.IsNaN(tc.want) {
				require.True(t, math.IsNaN(got), "got %v", got)
				return
			}
			require.InDelta(t, tc.want, got, 1e-12)
		})
	}
}

func TestPercentile(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i
	}
	tests := []struct {
		name string
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{"empty", nil, 0.99, 0},
		{"one", ms(5), 0.99, 5 * time.Millisecond},
		{"p99 of 1..100 is 99", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p50 of 1..100 is 50", ms(hundred...), 0.5, 50 * time.Millisecond},
		{"p99 of 10 values is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.99, 10 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, percentile(tc.in, tc.q))
		})
	}
}
