package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Change is one entry of the store's change sequence: a version written by
// Put or Delete.
type Change struct {
	// Seq is the change's position in the store's sequence, starting at 1
	// and strictly increasing in commit order.
	Seq     uint64
	Type    string
	ID      string
	Version int64
	Deleted bool
}

// Seq returns the sequence number of the last change committed (0 for an
// empty store).
func (s *Store) Seq(ctx context.Context) (uint64, error) {
	var seq uint64
	err := s.view(ctx, func(tx *bolt.Tx) error {
		seq = tx.Bucket(bucketVersions).Sequence()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: seq: %w", err)
	}
	return seq, nil
}

// Changes calls fn for every change with a sequence number greater than
// since, in order, and stops at the first error fn returns (returned as
// is). Like Scan it reads in chunks and runs fn outside any transaction.
func (s *Store) Changes(ctx context.Context, since uint64, fn func(Change) error) error {
	for {
		var batch []Change
		err := s.view(ctx, func(tx *bolt.Tx) error {
			var err error
			batch, err = changeChunk(tx, since)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: changes since %d: %w", since, err)
		}
		if len(batch) == 0 {
			return nil
		}
		for _, c := range batch {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("store: changes since %d: %w", since, err)
			}
			if err := fn(c); err != nil {
				return err
			}
		}
		since = batch[len(batch)-1].Seq
	}
}

// changeChunk reads up to scanChunk changes after since. The versions
// bucket is the change log: its keys are the sequence numbers.
func changeChunk(tx *bolt.Tx, since uint64) ([]Change, error) {
	c := tx.Bucket(bucketVersions).Cursor()
	var batch []Change
	for k, v := c.Seek(seqKey(since + 1)); k != nil && len(batch) < scanChunk; k, v = c.Next() {
		if len(k) != seqKeyLen {
			return nil, fmt.Errorf("corrupt version key %x", k)
		}
		vh, _, err := decodeVerHeader(v)
		if err != nil {
			return nil, fmt.Errorf("change %d: %w", seqFromKey(k), err)
		}
		batch = append(batch, Change{
			Seq: seqFromKey(k), Type: string(vh.typ), ID: string(vh.id),
			Version: vh.version, Deleted: vh.deleted,
		})
	}
	return batch, nil
}
