package bench

import (
	"context"
	"fmt"
)

// Contender is one system in an alternating measurement. Run performs one
// trial and returns the measured figures by metric name (e.g. "resources/s"
// and "peak RSS"); every trial must return the same metrics.
type Contender struct {
	Name string
	Run  func(ctx context.Context) (map[string]float64, error)
}

// Samples are the measured figures of each system: system → metric →
// one value per repetition.
type Samples map[string]map[string][]float64

// Alternate runs warmup untimed rounds and then reps measured rounds. Each
// round runs every contender once; round i starts with contender i mod n, so
// that no system always runs first (on a warm or a cold cache). Warm-up
// results are checked for errors and discarded. The first error stops the
// run.
func Alternate(ctx context.Context, warmup, reps int, cs []Contender) (Samples, error) {
	out := Samples{}
	for _, c := range cs {
		out[c.Name] = map[string][]float64{}
	}
	n := len(cs)
	for round := 0; round < warmup+reps; round++ {
		for k := 0; k < n; k++ {
			c := cs[(round+k)%n]
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			figs, err := c.Run(ctx)
			if err != nil {
				return nil, fmt.Errorf("bench: %s (round %d): %w", c.Name, round+1, err)
			}
			if round < warmup {
				continue
			}
			for m, v := range figs {
				out[c.Name][m] = append(out[c.Name][m], v)
			}
		}
	}
	return out, nil
}

// Metric returns the samples of one metric for every system, in the shape
// NewResult takes.
func (s Samples) Metric(metric string) map[string][]float64 {
	m := map[string][]float64{}
	for sys, figs := range s {
		if v, ok := figs[metric]; ok {
			m[sys] = v
		}
	}
	return m
}
