package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Delete writes a tombstone as the next version of the resource and returns
// it. Deleting an already deleted resource writes nothing and returns the
// existing tombstone; deleting one that never existed returns ErrNotFound.
func (s *Store) Delete(ctx context.Context, typ, id string) (Resource, error) {
	if err := validKey(typ, id); err != nil {
		return Resource{}, fmt.Errorf("store: delete: %w", err)
	}
	rk := resKey(typ, id)
	var h head
	s.wmu.Lock()
	defer s.wmu.Unlock()
	now := s.clock()
	err := s.update(ctx, func(tx *bolt.Tx) error {
		w := newWriter(tx, now, s.codecs.seal)
		cur, exists, err := w.head(rk)
		switch {
		case err != nil:
			return err
		case !exists:
			return ErrNotFound
		case cur.deleted:
			h = cur
			return nil
		}
		if h, err = w.tombstone(typ, id, rk, cur); err != nil {
			return err
		}
		return w.flushCounts()
	})
	if err != nil {
		return Resource{}, fmt.Errorf("store: delete %s/%s: %w", typ, id, err)
	}
	s.noteCommitted(now)
	return tombstone(typ, id, h), nil
}

func tombstone(typ, id string, h head) Resource {
	return Resource{Type: typ, ID: id, Version: h.version, LastUpdated: fromMillis(h.updated), Deleted: true}
}
