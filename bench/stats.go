package bench

import (
	"math"
	"sort"
)

// Stats summarises the samples of one figure for one system.
type Stats struct {
	N      int     `json:"n"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Summarize returns the median, minimum and maximum of samples. The median
// of an even number of samples is the mean of the two middle ones. An empty
// slice gives N == 0 and NaN figures.
func Summarize(samples []float64) Stats {
	if len(samples) == 0 {
		return Stats{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	s := append([]float64(nil), samples...)
	sort.Float64s(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Stats{N: n, Median: med, Min: s[0], Max: s[n-1]}
}

// Better says which direction of a figure is the good one.
type Better string

// The two directions of a figure.
const (
	HigherIsBetter Better = "higher" // throughput: resources/s, rows/s
	LowerIsBetter  Better = "lower"  // latency, memory
)

// Ratio returns how many times better fhirlake's median is than the
// baseline's: fhirlake/baseline when higher is better, baseline/fhirlake
// when lower is better. A ratio above 1 means fhirlake wins. It is NaN when
// the divisor is zero or either median is NaN.
func Ratio(fhirlake, baseline float64, b Better) float64 {
	num, den := fhirlake, baseline
	if b == LowerIsBetter {
		num, den = baseline, fhirlake
	}
	if den == 0 || math.IsNaN(num) || math.IsNaN(den) {
		return math.NaN()
	}
	return num / den
}
