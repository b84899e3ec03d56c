package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ctxCheckEvery is how many items Put and Scan process between checks of
// ctx.
const ctxCheckEvery = 256

// Put writes in as one atomic, durable transaction and returns what it did
// with each input, in order. A resource whose content equals its current
// version (ignoring meta.versionId and meta.lastUpdated) is left alone
// (Unchanged); otherwise a new version is written with the next version
// number and the store's current time. Writing a deleted resource brings it
// back as a new version (Created). The same resource may appear more than
// once; later inputs see earlier ones.
//
// If any input is invalid (ErrInvalid) or ctx is cancelled, nothing is
// written.
func (s *Store) Put(ctx context.Context, in []Input) ([]Outcome, error) {
	if len(in) == 0 {
		return nil, nil
	}
	preps := make([]prepared, len(in))
	for i := range in {
		if i%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("store: put: %w", err)
			}
		}
		p, err := prepare(in[i])
		if err != nil {
			return nil, fmt.Errorf("store: put %s/%s (input %d): %w", in[i].Type, in[i].ID, i, err)
		}
		preps[i] = p
	}
	out := make([]Outcome, len(in))
	err := s.update(ctx, func(tx *bolt.Tx) error {
		w := newWriter(tx, s.codec, s.now())
		for i := range preps {
			if i%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			o, err := w.put(&preps[i])
			if err != nil {
				return fmt.Errorf("%s/%s: %w", preps[i].typ, preps[i].id, err)
			}
			out[i] = o
		}
		return w.flushCounts()
	})
	if err != nil {
		return nil, fmt.Errorf("store: put: %w", err)
	}
	return out, nil
}
