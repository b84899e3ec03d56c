package resolve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/fhirlake/fhirlake/store"
)

// Sink resolves references and merges duplicates in the batches of an
// import before writing them to a Store. It implements ingest.Sink. Use
// one Sink per import and call Finish once after it. Its methods may be
// called from several goroutines but run one at a time.
type Sink struct {
	mu      sync.Mutex
	st      Store
	opts    Options
	idx     *index
	dedup   map[string]bool     // the types deduplicated
	alias   map[string]string   // "Type/merged" -> survivor id
	pending map[string]struct{} // "Type/id" of resources to retry
	latest  map[string][]byte   // "Type/id" -> body put in this batch
	rep     Report
}

// New returns a Sink writing to st.
func New(st Store, opts Options) *Sink {
	opts = opts.withDefaults()
	s := &Sink{
		st:      st,
		opts:    opts,
		idx:     newIndex(st, opts.MaxIdentifiers),
		alias:   map[string]string{},
		pending: map[string]struct{}{},
		latest:  map[string][]byte{},
	}
	s.dedup = map[string]bool{}
	for _, t := range opts.DedupTypes {
		s.dedup[t] = true
	}
	return s
}

// Put resolves the references of the batch, merges its duplicates into
// the resources they duplicate, and writes it to the store as one Put.
// It returns one outcome per input, in order; an input merged into
// another resource reports the outcome of that resource's write.
func (s *Sink) Put(ctx context.Context, in []store.Input) ([]store.Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.endBatch()
	out := make([]store.Input, len(in))
	for i, r := range in {
		p, err := s.process(ctx, r)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return s.st.Put(ctx, out)
}

func (s *Sink) endBatch() {
	s.idx.endBatch()
	clear(s.latest)
}

// process resolves, deduplicates and registers one resource.
func (s *Sink) process(ctx context.Context, in store.Input) (store.Input, error) {
	body, unresolved, err := s.resolveBody(ctx, in.Type, in.Body, false)
	if err != nil {
		return in, fmt.Errorf("resolve: %s/%s: %w", in.Type, in.ID, err)
	}
	ids, err := topIdentifiers(body)
	if err != nil {
		return in, fmt.Errorf("resolve: %s/%s: %w", in.Type, in.ID, err)
	}
	target := in.ID
	if len(ids) > 0 {
		if s.dedupes(in.Type) {
			if target, body, err = s.dedupe(ctx, in.Type, in.ID, ids, body); err != nil {
				return in, err
			}
		}
		s.idx.register(in.Type, target, ids)
	}
	if in.Type == "Patient" && !s.opts.NoDedup {
		// Record linkage (package linkage) gives stored Patients links
		// that their sources do not have: a copy that adds nothing to
		// the stored version keeps it, links included.
		cur, err := s.current(ctx, in.Type, target)
		if err != nil {
			return in, err
		}
		if cur != nil && bytes.Contains(cur, []byte(`"link":[`)) && contained(cur, body) {
			body = cur
		}
	}
	if len(ids) > 0 {
		s.latest[in.Type+"/"+target] = body
	}
	if len(unresolved) > 0 {
		if err := s.remember(ctx, in.Type, target, body); err != nil {
			return in, err
		}
	}
	return store.Input{Type: in.Type, ID: target, Body: body}, nil
}

func (s *Sink) dedupes(typ string) bool {
	return !s.opts.NoDedup && s.dedup[typ]
}

// current returns the body of typ/id as written in this batch or, failing
// that, as stored; nil if there is none.
func (s *Sink) current(ctx context.Context, typ, id string) ([]byte, error) {
	if b, ok := s.latest[typ+"/"+id]; ok {
		return b, nil
	}
	r, err := s.st.Read(ctx, typ, id)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDeleted) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resolve: %w", err)
	}
	return r.Body, nil
}

// remember queues typ/id for Finish to retry its unresolved references,
// or reports them now when the queue is full.
func (s *Sink) remember(ctx context.Context, typ, id string, body []byte) error {
	key := typ + "/" + id
	if _, ok := s.pending[key]; ok || len(s.pending) < s.opts.MaxPending {
		s.pending[key] = struct{}{}
		return nil
	}
	_, unresolved, err := s.resolveBody(ctx, typ, body, true)
	if err != nil {
		return fmt.Errorf("resolve: %s: %w", key, err)
	}
	s.report(typ, id, unresolved)
	return nil
}

// warn records a warning, keeping the first MaxExamples.
func (s *Sink) warn(w Warning) {
	if len(s.rep.Warnings) < s.opts.MaxExamples {
		s.rep.Warnings = append(s.rep.Warnings, w)
	}
}

// report counts and records the unresolved references of typ/id.
func (s *Sink) report(typ, id string, unresolved []unresolvedRef) {
	for _, u := range unresolved {
		s.rep.Unresolved++
		s.warn(Warning{Type: typ, ID: id, Path: u.path, Value: u.value, Reason: u.reason})
	}
}

// FindByIdentifier passes through to the store, so that a reader that
// finds or creates resources by identifier (CSV extracts) sees the
// same store as the sink (ingest.IdentifierFinder).
func (s *Sink) FindByIdentifier(ctx context.Context, typ string, q store.IdentifierQuery) ([]string, error) {
	return s.st.FindByIdentifier(ctx, typ, q)
}
