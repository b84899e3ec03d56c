package store

import (
	"context"
	"fmt"

	"github.com/fhirlake/fhirlake/fhir"
	bolt "go.etcd.io/bbolt"
)

// Read returns the current version of a resource. It returns ErrNotFound if
// the resource was never stored, and ErrDeleted together with the tombstone
// (its Version and LastUpdated) if it was deleted.
func (s *Store) Read(ctx context.Context, typ, id string) (Resource, error) {
	if err := validKey(typ, id); err != nil {
		return Resource{}, fmt.Errorf("store: read: %w", err)
	}
	var r Resource
	err := s.view(ctx, func(tx *bolt.Tx) error {
		h, err := getHead(tx, resKey(typ, id))
		if err != nil {
			return err
		}
		if h.deleted {
			r = tombstone(typ, id, h)
			return ErrDeleted
		}
		r, err = s.versionAt(tx, h.seq, typ, id)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("store: read %s/%s: %w", typ, id, err)
	}
	return r, nil
}

// VRead returns one version of a resource: ErrNotFound if there is no such
// version, ErrDeleted with the tombstone if that version is a deletion.
func (s *Store) VRead(ctx context.Context, typ, id string, version int64) (Resource, error) {
	if err := validKey(typ, id); err != nil {
		return Resource{}, fmt.Errorf("store: vread: %w", err)
	}
	var r Resource
	err := s.view(ctx, func(tx *bolt.Tx) error {
		h, err := getHead(tx, resKey(typ, id))
		if err != nil {
			return err
		}
		if version < 1 || version > h.version {
			return ErrNotFound
		}
		err = s.walk(ctx, tx, h.seq, typ, id, func(vh *verHeader, enc []byte) (bool, error) {
			if vh.version > version {
				return true, nil
			}
			if vh.version == version {
				r, err = vh.resource(s.codecs.dec(), enc, typ, id)
				if err == nil && r.Deleted {
					err = ErrDeleted
				}
				return false, err
			}
			return false, ErrNotFound
		})
		if err == nil && r.Version != version {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return r, fmt.Errorf("store: vread %s/%s version %d: %w", typ, id, version, err)
	}
	return r, nil
}

// History returns every version of a resource, tombstones included, newest
// first; ErrNotFound if it was never stored.
func (s *Store) History(ctx context.Context, typ, id string) ([]Resource, error) {
	if err := validKey(typ, id); err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	var rs []Resource
	err := s.view(ctx, func(tx *bolt.Tx) error {
		h, err := getHead(tx, resKey(typ, id))
		if err != nil {
			return err
		}
		rs = make([]Resource, 0, h.version)
		return s.walk(ctx, tx, h.seq, typ, id, func(vh *verHeader, enc []byte) (bool, error) {
			r, err := vh.resource(s.codecs.dec(), enc, typ, id)
			if err != nil {
				return false, err
			}
			rs = append(rs, r)
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: history %s/%s: %w", typ, id, err)
	}
	return rs, nil
}

// walk calls fn with the versions of typ/id from the one stored under seq
// back to the first, following the prev links, while fn returns true.
// Versions must strictly decrease along the chain.
func (s *Store) walk(ctx context.Context, tx *bolt.Tx, seq uint64, typ, id string, fn func(vh *verHeader, enc []byte) (bool, error)) error {
	versions := tx.Bucket(bucketVersions)
	last := int64(-1)
	for seq != 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		v := versions.Get(seqKey(seq))
		if v == nil {
			return fmt.Errorf("store: %s/%s: version record %d is missing", typ, id, seq)
		}
		vh, enc, err := decodeVerHeader(v)
		if err != nil {
			return fmt.Errorf("store: %s/%s: %w", typ, id, err)
		}
		if !vh.is(typ, id) || (last >= 0 && vh.version >= last) || vh.prev >= seq {
			return fmt.Errorf("store: %s/%s: broken version chain at record %d", typ, id, seq)
		}
		last = vh.version
		more, err := fn(&vh, enc)
		if err != nil || !more {
			return err
		}
		seq = vh.prev
	}
	return nil
}

// getHead returns the head of rk, or ErrNotFound.
func getHead(tx *bolt.Tx, rk []byte) (head, error) {
	v := tx.Bucket(bucketCurrent).Get(rk)
	if v == nil {
		return head{}, ErrNotFound
	}
	return decodeHead(v)
}

// versionAt returns the version of typ/id stored under seq.
func (s *Store) versionAt(tx *bolt.Tx, seq uint64, typ, id string) (Resource, error) {
	v := tx.Bucket(bucketVersions).Get(seqKey(seq))
	if v == nil {
		return Resource{}, fmt.Errorf("store: %s/%s: version record %d is missing", typ, id, seq)
	}
	return decodeVersion(s.codecs.dec(), v, typ, id)
}

// validKey checks a type and id given to a read or delete.
func validKey(typ, id string) error {
	if !fhir.IsResourceType(typ) {
		return fmt.Errorf("%w: unknown resource type %q", ErrInvalid, typ)
	}
	if !fhir.ValidID(id) {
		return fmt.Errorf("%w: invalid id %q", ErrInvalid, id)
	}
	return nil
}
