package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Op is one change in an atomic [Store.Apply]: a write of Body as the
// next version of Type/ID, or (Delete) a tombstone.
type Op struct {
	Type, ID string
	// Body is the resource JSON object of a write (see [Input]); unused
	// for a delete.
	Body   []byte
	Delete bool
	// IfMatch, when positive, is the version the resource must be at when
	// the change commits (current and not deleted); otherwise Apply fails
	// with ErrConflict and writes nothing. This is FHIR's version-aware
	// update (If-Match), checked inside the write transaction so that two
	// writers racing from the same version cannot both win.
	IfMatch int64
	// IfAbsent makes a write fail with ErrConflict when the resource
	// exists and is not deleted (create with a client-chosen id that must
	// be new).
	IfAbsent bool
}

// Result says what [Store.Apply] did with one Op.
type Result struct {
	// Outcome is Created, Updated or Unchanged for a write; Deleted for a
	// delete that wrote a tombstone; Unchanged for a delete of a resource
	// that was already deleted or never existed (Resource.Version is 0
	// then).
	Outcome Outcome
	// Resource is the resource's head after the change: for writes its
	// Body is the stored JSON (with meta.versionId and meta.lastUpdated);
	// for tombstones Body is nil.
	Resource Resource
}

// ErrConflict means an Op's precondition (IfMatch, IfAbsent) did not hold
// when its transaction committed; nothing of that Apply was written.
var ErrConflict = errors.New("store: version conflict")

// Apply writes ops as one atomic, durable transaction: either every change
// is committed (and fsync'd) or none is. Concurrent Apply calls are
// committed together (group commit): one fsync serves every caller waiting
// at that moment, so many small writers do not queue behind one fsync each.
// An Apply whose precondition fails, or whose input is invalid, fails alone
// without affecting the others of its group.
//
// The same resource may appear more than once in ops; later ops see
// earlier ones.
func (s *Store) Apply(ctx context.Context, ops []Op) ([]Result, error) {
	if len(ops) == 0 {
		return nil, nil
	}
	req := &applyReq{ops: ops, preps: make([]prepared, len(ops)), done: make(chan struct{})}
	for i, op := range ops {
		if op.Delete {
			if err := validKey(op.Type, op.ID); err != nil {
				return nil, fmt.Errorf("store: apply: delete: %w", err)
			}
			req.preps[i] = prepared{typ: op.Type, id: op.ID, rk: resKey(op.Type, op.ID)}
			continue
		}
		p, err := prepare(Input{Type: op.Type, ID: op.ID, Body: op.Body})
		if err != nil {
			return nil, fmt.Errorf("store: apply %s/%s (op %d): %w", op.Type, op.ID, i, err)
		}
		s.codecs.seal.keyContentHash(&p.hash)
		req.preps[i] = p
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: apply: %w", err)
	}
	s.group.submit(s, req)
	select {
	case <-req.done:
	case <-ctx.Done():
		// The change may still commit: the caller gave up waiting, not
		// the write. Wait for the verdict so the answer is true.
		<-req.done
	}
	if req.err != nil {
		return nil, fmt.Errorf("store: apply: %w", req.err)
	}
	return req.results, nil
}

// applyReq is one Apply waiting for its group's commit.
type applyReq struct {
	ops     []Op
	preps   []prepared
	results []Result
	err     error
	done    chan struct{}
}

// groupCommit queues Apply requests; the first to arrive when no commit is
// running starts one, which drains the queue in rounds.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*applyReq
	running bool
}

// maxGroup bounds the requests of one commit, so one slow round does not
// grow without limit under load.
const maxGroup = 512

func (g *groupCommit) submit(s *Store, req *applyReq) {
	g.mu.Lock()
	g.queue = append(g.queue, req)
	start := !g.running
	g.running = true
	g.mu.Unlock()
	if start {
		go g.run(s)
	}
}

func (g *groupCommit) run(s *Store) {
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		if n == 0 {
			g.running = false
			g.queue = nil
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		s.commitGroup(batch)
		for _, r := range batch {
			close(r.done)
		}
	}
}

// commitGroup commits a group in one transaction. If the transaction
// fails as a whole (not by a request's own precondition), each request is
// retried in a transaction of its own so that one bad request cannot fail
// the others.
func (s *Store) commitGroup(batch []*applyReq) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.commitReqs(batch); err == nil || len(batch) == 1 {
		if err != nil {
			batch[0].err, batch[0].results = err, nil
		}
		return
	}
	for _, r := range batch {
		if err := s.commitReqs([]*applyReq{r}); err != nil {
			r.err, r.results = err, nil
		}
	}
}

// commitReqs runs one write transaction for reqs. A request whose
// precondition fails gets its error and writes nothing; the others are
// written. The returned error fails the whole transaction.
func (s *Store) commitReqs(reqs []*applyReq) error {
	now := s.clock()
	lastUpdated := now.AppendFormat(nil, lastUpdatedLayout)
	set := s.codecs.cur.Load()
	enc := func(typ string) Codec { return s.codecs.encoder(set, typ) }
	for _, r := range reqs {
		r.err, r.results = nil, nil
	}
	err := mapClosed(s.db.Update(func(tx *bolt.Tx) error {
		w := newWriter(tx, now, s.codecs.seal)
		w.dec = s.codecs.dec()
		for _, r := range reqs {
			if err := w.check(r); err != nil {
				r.err = err
				continue
			}
			results, err := w.apply(r, enc, lastUpdated)
			if err != nil {
				return err
			}
			r.results = results
		}
		return w.flushCounts()
	}))
	if err != nil {
		for _, r := range reqs {
			r.results = nil
		}
		return err
	}
	s.noteCommitted(now)
	return nil
}

// check tests every precondition of r against the transaction's state,
// which includes the requests applied before it in the same group. Ops on
// the same resource later in r see the state the earlier ones leave.
func (w *writer) check(r *applyReq) error {
	type state struct {
		version int64
		live    bool
	}
	seen := map[string]state{}
	for i, op := range r.ops {
		p := &r.preps[i]
		st, ok := seen[string(p.rk)]
		if !ok {
			cur, exists, err := w.head(p.rk)
			if err != nil {
				return err
			}
			st = state{cur.version, exists && !cur.deleted}
		}
		switch {
		case op.IfMatch > 0 && (!st.live || st.version != op.IfMatch):
			if !st.live {
				return fmt.Errorf("%w: %s/%s is not at version %d (it does not exist or was deleted)", ErrConflict, op.Type, op.ID, op.IfMatch)
			}
			return fmt.Errorf("%w: %s/%s is at version %d, not %d", ErrConflict, op.Type, op.ID, st.version, op.IfMatch)
		case op.IfAbsent && st.live:
			return fmt.Errorf("%w: %s/%s already exists (version %d)", ErrConflict, op.Type, op.ID, st.version)
		}
		if op.Delete {
			if st.live {
				st = state{st.version + 1, false}
			}
		} else {
			// Unchanged content keeps the version; a precondition on a
			// later op of the same resource is rare enough to assume a
			// new one.
			st = state{st.version + 1, true}
		}
		seen[string(p.rk)] = st
	}
	return nil
}

// apply writes the ops of r whose preconditions check accepted.
func (w *writer) apply(r *applyReq, enc func(string) Codec, lastUpdated []byte) ([]Result, error) {
	out := make([]Result, len(r.ops))
	var body []byte
	for i, op := range r.ops {
		p := &r.preps[i]
		cur, exists, err := w.head(p.rk)
		if err != nil {
			return nil, err
		}
		if op.Delete {
			if !exists || cur.deleted {
				out[i] = Result{Outcome: Unchanged, Resource: tombstone(op.Type, op.ID, cur)}
				continue
			}
			h, err := w.tombstone(op.Type, op.ID, p.rk, cur)
			if err != nil {
				return nil, fmt.Errorf("%s/%s: %w", op.Type, op.ID, err)
			}
			out[i] = Result{Outcome: Deleted, Resource: tombstone(op.Type, op.ID, h)}
			continue
		}
		if exists && !cur.deleted && cur.hash == p.hash {
			res, err := w.currentVersion(cur, op.Type, op.ID)
			if err != nil {
				return nil, err
			}
			out[i] = Result{Outcome: Unchanged, Resource: res}
			continue
		}
		p.version = cur.version + 1
		body = p.appendBody(body[:0], p.version, lastUpdated)
		ad := appendVersionAD(nil, p.typ, p.id, p.version)
		val := appendVerHeader(make([]byte, 0, verHeaderLen(p.typ, p.id)+len(body)/3+64), p.typ, p.id)
		if p.val, err = enc(p.typ).Encode(val, body, ad); err != nil {
			return nil, fmt.Errorf("%s/%s: encode version %d: %w", p.typ, p.id, p.version, err)
		}
		o, err := w.put(p)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", p.typ, p.id, err)
		}
		if err := w.addIdentifiers(p); err != nil {
			return nil, err
		}
		out[i] = Result{Outcome: o, Resource: Resource{
			Type: op.Type, ID: op.ID, Version: p.version,
			LastUpdated: fromMillis(w.updated), Body: append([]byte(nil), body...),
		}}
	}
	return out, nil
}

// currentVersion returns the current version of a live resource read inside the
// write transaction.
func (w *writer) currentVersion(h head, typ, id string) (Resource, error) {
	v := w.versions.Get(seqKey(h.seq))
	if v == nil {
		return Resource{}, fmt.Errorf("store: %s/%s: version record %d is missing", typ, id, h.seq)
	}
	return decodeVersion(w.dec, v, typ, id)
}

// clock returns the time of the next commit: now, truncated to
// milliseconds, but never before the previous commit's, so that
// meta.lastUpdated never decreases along the change sequence (history
// queries with _since rely on that).
func (s *Store) clock() time.Time {
	now := s.now().UTC().Truncate(time.Millisecond)
	s.lastMu.Lock()
	defer s.lastMu.Unlock()
	if now.Before(s.last) {
		now = s.last
	}
	return now
}

// noteCommitted records the time of a committed transaction for clock.
func (s *Store) noteCommitted(t time.Time) {
	s.lastMu.Lock()
	if t.After(s.last) {
		s.last = t
	}
	s.lastMu.Unlock()
}
