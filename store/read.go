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
		r, err = s.getVersion(tx, typ, id, h.version)
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
		var err error
		r, err = s.getVersion(tx, typ, id, version)
		if err == nil && r.Deleted {
			return ErrDeleted
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
		for v := h.version; v >= 1; v-- {
			if err := ctx.Err(); err != nil {
				return err
			}
			r, err := s.getVersion(tx, typ, id, v)
			if err != nil {
				return err
			}
			rs = append(rs, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: history %s/%s: %w", typ, id, err)
	}
	return rs, nil
}

// getHead returns the head of rk, or ErrNotFound.
func getHead(tx *bolt.Tx, rk []byte) (head, error) {
	v := tx.Bucket(bucketCurrent).Get(rk)
	if v == nil {
		return head{}, ErrNotFound
	}
	return decodeHead(v)
}

// getVersion returns one stored version, or ErrNotFound.
func (s *Store) getVersion(tx *bolt.Tx, typ, id string, version int64) (Resource, error) {
	vk := appendVerKey(nil, resKey(typ, id), version)
	v := tx.Bucket(bucketVersions).Get(vk)
	if v == nil {
		return Resource{}, ErrNotFound
	}
	return decodeVersion(s.codec, vk, v, typ, id, version)
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
