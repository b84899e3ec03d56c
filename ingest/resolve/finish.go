package resolve

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fhirlake/fhirlake/store"
)

// finishBatch is how many rewritten resources Finish writes per Put.
const finishBatch = 1000

// Finish retries the references left unresolved during the import (their
// target may have come in a later file), writes the resources it could
// complete (a new version only if something changed), reports the rest as
// warnings, and returns the import's Report. Call it once, after the last
// Put; the Sink then starts a fresh retry queue.
func (s *Sink) Finish(ctx context.Context) (Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.pending))
	for k := range s.pending {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	clear(s.pending)
	var batch []store.Input
	for _, k := range keys {
		typ, id, _ := strings.Cut(k, "/")
		r, err := s.st.Read(ctx, typ, id)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDeleted) {
			continue
		}
		if err != nil {
			return s.rep, errorf(typ, id, "retry: %w", err)
		}
		body, unresolved, err := s.resolveBody(ctx, typ, r.Body, true)
		if err != nil {
			return s.rep, errorf(typ, id, "retry: %w", err)
		}
		s.report(typ, id, unresolved)
		if len(body) != len(r.Body) || string(body) != string(r.Body) {
			batch = append(batch, store.Input{Type: typ, ID: id, Body: body})
			s.rep.Retried++
			if s.rep.RetriedByType == nil {
				s.rep.RetriedByType = map[string]int{}
			}
			s.rep.RetriedByType[typ]++
		}
		if len(batch) >= finishBatch {
			if err := s.flush(ctx, batch); err != nil {
				return s.rep, err
			}
			batch = batch[:0]
		}
	}
	return s.rep, s.flush(ctx, batch)
}

func (s *Sink) flush(ctx context.Context, batch []store.Input) error {
	if len(batch) == 0 {
		return nil
	}
	if _, err := s.st.Put(ctx, batch); err != nil {
		return fmt.Errorf("resolve: retry: write %d resources: %w", len(batch), err)
	}
	return nil
}
