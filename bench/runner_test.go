package bench

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAlternate(t *testing.T) {
	var order []string
	mk := func(name string, v float64) Contender {
		n := 0.0
		return Contender{Name: name, Run: func(context.Context) (map[string]float64, error) {
			order = append(order, name)
			n++
			return map[string]float64{"x": v + n}, nil
		}}
	}
	s, err := Alternate(context.Background(), 1, 3, []Contender{mk("a", 0), mk("b", 100)})
	require.NoError(t, err)
	// Round 0 is the warm-up; rounds alternate which system goes first.
	require.Equal(t, []string{"a", "b", "b", "a", "a", "b", "b", "a"}, order)
	require.Equal(t, []float64{2, 3, 4}, s["a"]["x"], "warm-up sample discarded")
	require.Equal(t, []float64{102, 103, 104}, s["b"]["x"])
	require.Equal(t, map[string][]float64{"a": {2, 3, 4}, "b": {102, 103, 104}}, s.Metric("x"))

	boom := errors.New("boom")
	_, err = Alternate(context.Background(), 0, 2, []Contender{{Name: "bad", Run: func(context.Context) (map[string]float64, error) { return nil, boom }}})
	require.ErrorIs(t, err, boom)
	require.ErrorContains(t, err, "bad (round 1)")
}

func TestNewResult(t *testing.T) {
	r, err := NewResult("ingest", "import", 20, "resources/s", "resources/s", HigherIsBetter,
		[]string{Fhirlake, "postgres"}, map[string][]float64{Fhirlake: {10, 30, 20}, "postgres": {5, 5, 15}})
	require.NoError(t, err)
	require.Equal(t, Stats{N: 3, Median: 20, Min: 10, Max: 30}, r.Systems[0].Stats)
	require.Equal(t, []RatioResult{{Baseline: "postgres", Value: 4}}, r.Ratios)

	_, err = NewResult("s", "c", 1, "m", "u", HigherIsBetter, []string{Fhirlake, "pg"}, map[string][]float64{Fhirlake: {1}})
	require.ErrorContains(t, err, "no samples from pg")
	_, err = NewResult("s", "c", 1, "m", "u", HigherIsBetter, []string{"pg"}, map[string][]float64{"pg": {1}})
	require.ErrorContains(t, err, "no fhirlake samples")
}
