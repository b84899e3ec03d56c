package store

import (
	"context"
	"errors"
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
// Validation, hashing and compression run on all CPUs before the write
// transaction; the transaction itself only appends.
//
// If any input is invalid (ErrInvalid) or ctx is cancelled, nothing is
// written.
func (s *Store) Put(ctx context.Context, in []Input) ([]Outcome, error) {
	if len(in) == 0 {
		return nil, nil
	}
	// Writers are serialised here rather than only by bbolt, so the heads
	// read while planning stay current until the write transaction.
	s.wmu.Lock()
	defer s.wmu.Unlock()
	now := s.clock()
	preps, err := s.prepareAll(ctx, in)
	if err != nil {
		return nil, err
	}
	planVersions(preps)
	lastUpdated := now.AppendFormat(nil, lastUpdatedLayout)
	old := s.codecs.cur.Load()
	set := old
	added := s.trainDicts(preps, lastUpdated)
	if added != nil {
		if set, err = s.codecs.with(old, added); err != nil {
			return nil, fmt.Errorf("store: put: %w", err)
		}
	}
	enc := func(typ string) Codec { return s.codecs.encoder(set, typ) }
	if err := encodeAll(ctx, preps, enc, lastUpdated); err != nil {
		return nil, fmt.Errorf("store: put: %w", err)
	}
	if added != nil {
		// Readers may meet bodies encoded with the new dictionaries as
		// soon as the transaction commits; the new set reads older bodies
		// too.
		s.codecs.cur.Store(set)
		defer func() {
			if err != nil {
				s.codecs.cur.Store(old)
			}
		}()
	}
	out := make([]Outcome, len(in))
	err = s.update(ctx, func(tx *bolt.Tx) error {
		for typ, d := range added {
			v, err := s.codecs.seal.dictValue(typ, d)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketMeta).Put([]byte(dictPrefix+typ), v); err != nil {
				return err
			}
		}
		w := newWriter(tx, now, s.codecs.seal)
		for i := range preps {
			o, err := w.put(&preps[i])
			if err != nil {
				return fmt.Errorf("%s/%s: %w", preps[i].typ, preps[i].id, err)
			}
			if o != Unchanged {
				if err := w.addIdentifiers(&preps[i]); err != nil {
					return err
				}
			}
			out[i] = o
		}
		return w.flushCounts()
	})
	if err != nil {
		return nil, fmt.Errorf("store: put: %w", err)
	}
	s.noteCommitted(now)
	n := 0
	for i := range in {
		n += len(in[i].Body)
	}
	s.touched(n)
	return out, nil
}

// prepareAll validates and canonicalises every input and looks up its
// committed head, in parallel.
func (s *Store) prepareAll(ctx context.Context, in []Input) ([]prepared, error) {
	preps := make([]prepared, len(in))
	err := parallel(ctx, len(in), func() (func(int) error, func(), error) {
		tx, err := s.db.Begin(false)
		if err != nil {
			return nil, nil, mapClosed(err)
		}
		current := tx.Bucket(bucketCurrent)
		fn := func(i int) error {
			p, err := prepare(in[i])
			if err != nil {
				return fmt.Errorf("store: put %s/%s (input %d): %w", in[i].Type, in[i].ID, i, err)
			}
			s.codecs.seal.keyContentHash(&p.hash)
			if v := current.Get(p.rk); v != nil {
				if p.cur, err = decodeHead(v); err != nil {
					return fmt.Errorf("store: put %s/%s: %w", p.typ, p.id, err)
				}
				p.exists = true
			}
			preps[i] = p
			return nil
		}
		return fn, func() { _ = tx.Rollback() }, nil
	})
	if errors.Is(err, ErrClosed) || (ctx.Err() != nil && errors.Is(err, ctx.Err())) {
		return nil, fmt.Errorf("store: put: %w", err)
	}
	if err != nil {
		return nil, err
	}
	return preps, nil
}

// planned is what planVersions knows about a resource's head.
type planned struct {
	h      head
	exists bool
}

// planVersions decides, in input order, which inputs are unchanged and
// which version each of the others becomes; a resource repeated in the
// batch is compared with its previous occurrence.
func planVersions(preps []prepared) {
	state := make(map[string]planned, len(preps))
	for i := range preps {
		p := &preps[i]
		st, seen := state[string(p.rk)]
		if !seen {
			st = planned{p.cur, p.exists}
		}
		if st.exists && !st.h.deleted && st.h.hash == p.hash {
			continue
		}
		p.version = st.h.version + 1
		state[string(p.rk)] = planned{head{version: p.version, hash: p.hash}, true}
	}
}

// encodeAll builds and encodes the value of every new version, in
// parallel.
func encodeAll(ctx context.Context, preps []prepared, enc func(typ string) Codec, lastUpdated []byte) error {
	return parallel(ctx, len(preps), func() (func(int) error, func(), error) {
		var body, ad []byte
		fn := func(i int) error {
			p := &preps[i]
			if p.version == 0 {
				return nil
			}
			body = p.appendBody(body[:0], p.version, lastUpdated)
			ad = appendVersionAD(ad[:0], p.typ, p.id, p.version)
			val := appendVerHeader(make([]byte, 0, verHeaderLen(p.typ, p.id)+len(body)/3+64), p.typ, p.id)
			var err error
			if p.val, err = enc(p.typ).Encode(val, body, ad); err != nil {
				return fmt.Errorf("%s/%s: encode version %d: %w", p.typ, p.id, p.version, err)
			}
			return nil
		}
		return fn, func() {}, nil
	})
}
