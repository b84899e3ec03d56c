package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fhirlake/fhirlake/api"
	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/flatten"
	"github.com/fhirlake/fhirlake/ingest"
)

// viewStore creates, replaces and drops the views of the lake's data
// stores, for the view command and for the HTTP API (it implements
// api.ViewStore). A change is materialized, then made visible to SQL by
// refresh (nil when no server runs), and only then are the replaced
// Parquet files swept: a running query never loses its files to a change.
type viewStore struct {
	l       *lake
	refresh func(ctx context.Context, ds string) error
	// oldest returns the start of the oldest query still running, if
	// any (the engine's OldestQuery); nil without a server.
	oldest func() (time.Time, bool)

	mu     sync.Mutex
	locks  map[string]*sync.Mutex // one per data store: view changes are serialized
	rounds map[string][]round     // per data store, see sweepable
}

// round is one locked change of a data store's views: the files it
// replaced became garbage after start, and SQL stopped naming them at
// published (zero until then).
type round struct{ start, published time.Time }

var _ api.ViewStore = (*viewStore)(nil)

func newViewStore(l *lake, refresh func(ctx context.Context, ds string) error) *viewStore {
	return &viewStore{l: l, refresh: refresh, locks: map[string]*sync.Mutex{}, rounds: map[string][]round{}}
}

// lock serializes view changes of one data store.
func (s *viewStore) lock(ds string) func() {
	s.mu.Lock()
	m, ok := s.locks[ds]
	if !ok {
		m = &sync.Mutex{}
		s.locks[ds] = m
	}
	s.mu.Unlock()
	m.Lock()
	s.mu.Lock()
	s.rounds[ds] = append(s.rounds[ds], round{start: time.Now()})
	s.mu.Unlock()
	return m.Unlock
}

// sweepCutoff returns the time before which the garbage of ds may be
// deleted: files replaced in a round whose engine refresh finished before
// the oldest running query started cannot be open in any query. Without
// running queries, everything published so far. Zero means nothing yet.
func (s *viewStore) sweepCutoff(ds string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.rounds[ds]
	oldest, busy := time.Time{}, false
	if s.oldest != nil {
		oldest, busy = s.oldest()
	}
	k := -1
	for i, r := range rs {
		if r.published.IsZero() || busy && !r.published.Before(oldest) {
			break
		}
		k = i
	}
	if k < 0 {
		return time.Time{}
	}
	cutoff := rs[k].published
	if k+1 < len(rs) {
		cutoff = rs[k+1].start
	}
	s.rounds[ds] = append([]round(nil), rs[k:]...)
	return cutoff
}

// viewChange is the outcome of put.
type viewChange struct {
	created, wasDefault bool
	resource            string
	reports             []ingest.ViewReport
}

// put validates definition, registers it as view name (failing with
// catalog.ErrExists for an existing view unless replace), materializes it,
// refreshes and sweeps. On a materialization error the previous version
// stays.
func (s *viewStore) put(ctx context.Context, ds, name string, definition []byte, replace bool) (viewChange, error) {
	if !catalog.ValidName(name) {
		return viewChange{}, fmt.Errorf("invalid view name %q: use lowercase letters, digits and _, starting with a letter (at most 63)", name)
	}
	if strings.HasPrefix(name, "search_") {
		return viewChange{}, fmt.Errorf("invalid view name %q: names starting with search_ are kept for the search indexes", name)
	}
	vd, err := flatten.ParseView(definition)
	if err != nil {
		return viewChange{}, err
	}
	v, err := flatten.Compile(vd)
	if err != nil {
		return viewChange{}, err
	}
	defer s.lock(ds)()
	st, err := s.l.store(ds)
	if err != nil {
		return viewChange{}, err
	}
	old, err := s.l.cat.View(ds, name)
	exists := err == nil
	switch {
	case err != nil && !errors.Is(err, catalog.ErrNotFound):
		return viewChange{}, err
	case exists && !replace:
		return viewChange{}, fmt.Errorf("view %s.%s: %w (use --replace to replace it)", ds, name, catalog.ErrExists)
	}
	next := catalog.View{Name: name, Resource: v.Resource(), Definition: vd.Raw, Files: old.Files, Rows: old.Rows, Updated: time.Now().UTC()}
	if err := s.l.cat.PutView(ds, next); err != nil {
		return viewChange{}, err
	}
	reports, err := ingest.MaterializeViews(ctx, s.l.deidding(), ds, st, []string{name})
	if err != nil {
		if exists {
			err = errors.Join(err, s.l.cat.PutView(ds, old))
		} else {
			err = errors.Join(err, s.l.cat.DeleteView(ds, name))
		}
		return viewChange{}, err
	}
	// The de-identified twin's report repeats the view's.
	reports = slices.DeleteFunc(reports, func(r ingest.ViewReport) bool { _, twin := catalog.DeidOf(r.View); return twin })
	ch := viewChange{created: !exists, wasDefault: old.Default, resource: v.Resource(), reports: reports}
	return ch, s.publish(ctx, ds)
}

// drop removes a view; it returns the view as it was.
func (s *viewStore) drop(ctx context.Context, ds, name string) (catalog.View, error) {
	defer s.lock(ds)()
	old, err := s.l.cat.View(ds, name)
	if err != nil {
		return catalog.View{}, err
	}
	if old.Derived() {
		return catalog.View{}, fmt.Errorf("view %s.%s: %w", ds, name, catalog.ErrNotFound)
	}
	if err := s.l.cat.DeleteView(ds, name); err != nil {
		return catalog.View{}, err
	}
	return old, s.publish(ctx, ds)
}

// publish makes the catalog's views visible to SQL, then deletes the files
// that no view has named for sweepDelay. If the refresh fails the files
// stay, as garbage for a later sweep.
func (s *viewStore) publish(ctx context.Context, ds string) error {
	if s.refresh == nil {
		_, err := s.l.cat.SweepOlder(ds, 0) // no server: nothing reads the old files
		return err
	}
	if err := s.refresh(ctx, ds); err != nil {
		return err
	}
	s.mu.Lock()
	if rs := s.rounds[ds]; len(rs) > 0 {
		rs[len(rs)-1].published = time.Now()
	}
	s.mu.Unlock()
	// DuckDB opens a view's files lazily: a query that started before the
	// refresh may still open an old one. Without a record of running
	// queries, files replaced a while ago go now and the rest wait for a
	// later change or the next start.
	if s.oldest == nil {
		_, err := s.l.cat.SweepOlder(ds, sweepDelay)
		return err
	}
	cutoff := s.sweepCutoff(ds)
	if cutoff.IsZero() {
		return nil
	}
	_, err := s.l.cat.SweepOlder(ds, max(time.Since(cutoff), 0))
	return err
}

// sweepDelay is how long a running server keeps the files a view change
// replaced: longer than any query is expected to run.
const sweepDelay = 15 * time.Minute

// Views implements api.ViewStore.
func (s *viewStore) Views(_ context.Context, ds string) ([]api.ViewInfo, error) {
	list, err := s.l.cat.Views(ds)
	if err != nil {
		return nil, err
	}
	list = userViews(list)
	out := make([]api.ViewInfo, len(list))
	for i, v := range list {
		out[i] = viewInfo(v)
	}
	return out, nil
}

// userViews drops the search index tables and the de-identified twins
// from a catalog listing: they are fhirlake's own, not the user's views.
func userViews(list []catalog.View) []catalog.View {
	return slices.DeleteFunc(list, catalog.View.Derived)
}

// View implements api.ViewStore.
func (s *viewStore) View(_ context.Context, ds, name string) (api.ViewInfo, error) {
	v, err := s.l.cat.View(ds, name)
	if err == nil && v.Derived() {
		err = fmt.Errorf("view %s.%s: %w", ds, name, catalog.ErrNotFound)
	}
	if err != nil {
		return api.ViewInfo{}, apiError(err)
	}
	return viewInfo(v), nil
}

// PutView implements api.ViewStore.
func (s *viewStore) PutView(ctx context.Context, ds, name string, definition []byte) (bool, error) {
	ch, err := s.put(ctx, ds, name, definition, true)
	return ch.created, err
}

// DeleteView implements api.ViewStore.
func (s *viewStore) DeleteView(ctx context.Context, ds, name string) error {
	_, err := s.drop(ctx, ds, name)
	return apiError(err)
}

func viewInfo(v catalog.View) api.ViewInfo {
	return api.ViewInfo{Name: v.Name, Resource: v.Resource, Rows: v.Rows, Default: v.Default, Updated: v.Updated, Definition: v.Definition}
}

// apiError marks a missing view for the API.
func apiError(err error) error {
	if errors.Is(err, catalog.ErrNotFound) {
		return fmt.Errorf("%w: %w", api.ErrViewNotFound, err)
	}
	return err
}
