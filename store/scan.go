package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/fhirlake/fhirlake/fhir"
	bolt "go.etcd.io/bbolt"
)

// scanChunk is how many resources Scan decodes per read transaction.
const scanChunk = 256

// Scan calls fn with the current version of every non-deleted resource of
// type typ, in ascending id order, and stops at the first error fn returns
// (which Scan returns as is). It streams: at most a small chunk of
// resources is held in memory, and fn runs outside any transaction, so a
// slow fn never blocks writers.
//
// Scan is not a snapshot: each resource is visited at most once, as a
// committed version, but writes made during the scan may or may not be
// seen. To build a consistent derived view, note Seq before the scan and
// replay Changes since it afterwards.
func (s *Store) Scan(ctx context.Context, typ string, fn func(Resource) error) error {
	if !fhir.IsResourceType(typ) {
		return fmt.Errorf("store: scan: %w: unknown resource type %q", ErrInvalid, typ)
	}
	prefix := typePrefix(typ)
	after := prefix // exclusive lower bound; no resource key equals the prefix
	for {
		var batch []Resource
		err := s.view(ctx, func(tx *bolt.Tx) error {
			var err error
			batch, after, err = s.scanChunk(tx, prefix, after)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: scan %s: %w", typ, err)
		}
		n := 0
		for _, r := range batch {
			n += len(r.Body)
		}
		s.touched(n)
		for _, r := range batch {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("store: scan %s: %w", typ, err)
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		if after == nil {
			return nil
		}
	}
}

// scanChunk reads up to scanChunk live resources whose keys start with
// prefix and sort after the key after. It returns the last key visited, or
// nil when the prefix is exhausted.
func (s *Store) scanChunk(tx *bolt.Tx, prefix, after []byte) ([]Resource, []byte, error) {
	c := tx.Bucket(bucketCurrent).Cursor()
	k, v := c.Seek(after)
	if bytes.Equal(k, after) {
		k, v = c.Next()
	}
	var batch []Resource
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(batch) == scanChunk {
			// k is not visited yet: resume just before it.
			last := batch[len(batch)-1]
			return batch, resKey(last.Type, last.ID), nil
		}
		h, err := decodeHead(v)
		if err != nil {
			return nil, nil, err
		}
		if h.deleted {
			continue
		}
		typ, id, _ := splitResKey(k)
		r, err := s.versionAt(tx, h.seq, typ, id)
		if err != nil {
			return nil, nil, err
		}
		batch = append(batch, r)
	}
	return batch, nil, nil
}

// Counts returns the number of current, non-deleted resources of each type
// that has any.
func (s *Store) Counts(ctx context.Context) (map[string]int, error) {
	m := map[string]int{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCounts).ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("corrupt count for %q", k)
			}
			if n := int64(binary.BigEndian.Uint64(v)); n > 0 {
				m[string(k)] = int(n)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	return m, nil
}

// Types returns, sorted, every resource type that has ever had a resource
// in the store (even if all of them are deleted now), so that history and
// deleted reads of it still make sense.
func (s *Store) Types(ctx context.Context) ([]string, error) {
	var types []string
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCounts).ForEach(func(k, _ []byte) error {
			types = append(types, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: types: %w", err)
	}
	return types, nil
}
