package linkage

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// Decision says what the thresholds make of a scored pair.
type Decision uint8

// The decisions of [Find].
const (
	// Possible is a pair scoring between the thresholds: reported for
	// review, not linked.
	Possible Decision = iota + 1
	// Link is a pair scoring at least the upper threshold.
	Link
)

// String returns "link" or "possible".
func (d Decision) String() string {
	switch d {
	case Link:
		return "link"
	case Possible:
		return "possible"
	}
	return "none"
}

// Match is a pair of patients scoring at least the lower threshold.
type Match struct {
	// A and B are the Patient ids, A < B.
	A, B string
	// Score is the sum of the weights of Comparisons, in bits.
	Score float64
	// Decision is Link or Possible.
	Decision Decision
	// Comparisons are the outcomes of the fields compared, in field order.
	Comparisons []Comparison
}

// Find compares the candidate pairs of patients (see Blocking in the
// package documentation) and returns those scoring at least cfg.Lower,
// sorted by A, then B. Patient ids must be unique. Blocks are spread over
// one worker per CPU; ctx is checked between blocks.
func Find(ctx context.Context, patients []Patient, cfg Config) ([]Match, error) {
	w, err := cfg.check()
	if err != nil {
		return nil, err
	}
	if cfg.MaxBlock == 0 {
		cfg.MaxBlock = DefaultMaxBlock
	}
	recs := make([]record, len(patients))
	seen := make(map[string]struct{}, len(patients))
	for i, p := range patients {
		if _, dup := seen[p.ID]; dup {
			return nil, fmt.Errorf("linkage: patient id %q appears twice", p.ID)
		}
		seen[p.ID] = struct{}{}
		recs[i] = prepare(p)
	}
	bl := newBlocks(recs)
	matches, err := scoreBlocks(ctx, recs, bl, &w, cfg)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(matches, func(x, y Match) int {
		return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	return matches, nil
}

// scoreBlocks scores the pairs of every block on all CPUs.
func scoreBlocks(ctx context.Context, recs []record, bl *blocks, w *weights, cfg Config) ([]Match, error) {
	workers := min(runtime.GOMAXPROCS(0), max(len(bl.keys), 1))
	next := make(chan string)
	results := make([][]Match, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for key := range next {
				results[i] = scoreBlock(recs, bl, key, w, cfg, results[i])
			}
		})
	}
	var err error
feed:
	for _, key := range bl.keys {
		if ctx.Err() != nil {
			err = fmt.Errorf("linkage: find: %w", ctx.Err())
			break
		}
		select {
		case next <- key:
		case <-ctx.Done():
			err = fmt.Errorf("linkage: find: %w", ctx.Err())
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return slices.Concat(results...), nil
}

// scoreBlock scores the pairs of one block that were not compared in an
// earlier block and appends those scoring at least cfg.Lower to out.
func scoreBlock(recs []record, bl *blocks, key string, w *weights, cfg Config, out []Match) []Match {
	members := bl.members[key]
	if len(members) > cfg.MaxBlock {
		return out
	}
	for x, i := range members {
		for _, j := range members[x+1:] {
			if !bl.firstShared(i, j, key, cfg.MaxBlock) {
				continue
			}
			a, b := &recs[i], &recs[j]
			if score(a, b, w, nil) < cfg.Lower {
				continue
			}
			out = append(out, newMatch(a, b, w, cfg))
		}
	}
	return out
}

// newMatch scores a pair again, keeping the comparisons.
func newMatch(a, b *record, w *weights, cfg Config) Match {
	if b.id < a.id {
		a, b = b, a
	}
	m := Match{A: a.id, B: b.id}
	m.Score = score(a, b, w, &m.Comparisons)
	m.Decision = Possible
	if m.Score >= cfg.Upper && !slices.ContainsFunc(m.Comparisons, isGivenDiffer) {
		m.Decision = Link
	}
	return m
}

// isGivenDiffer reports a given-name disagreement, which keeps a pair from
// being linked whatever its score (the twins rule).
func isGivenDiffer(c Comparison) bool { return c.Outcome == GivenDiffer }
