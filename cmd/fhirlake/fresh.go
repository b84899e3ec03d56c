package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// freshener brings the views of a data store up to date after FHIR writes:
// the API calls Changed after each commit, and one goroutine per data
// store refreshes its views incrementally (only the changed resources are
// flattened, see ingest.Refresh) and publishes them to SQL. Writes that
// arrive during a refresh are taken by the next one, so under load each
// refresh takes a batch; minInterval spaces refreshes so that a stream of
// single writes does not turn into a stream of tiny files.
type freshener struct {
	l           *lake
	views       *viewStore
	log         *slog.Logger
	minInterval time.Duration

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu   sync.Mutex
	kick map[string]chan struct{}
	// done receives the change sequence of each finished refresh, for
	// tests and the freshness benchmark; nil if nobody listens.
	done func(ds string, seq uint64)
}

func newFreshener(l *lake, views *viewStore, log *slog.Logger) *freshener {
	ctx, cancel := context.WithCancel(context.Background())
	return &freshener{l: l, views: views, log: log, minInterval: 200 * time.Millisecond,
		ctx: ctx, cancel: cancel, kick: map[string]chan struct{}{}}
}

// Changed implements the api.Options.Changed hook: data store ds has new
// committed versions.
func (f *freshener) Changed(ds string) {
	f.mu.Lock()
	ch, ok := f.kick[ds]
	if !ok {
		if f.ctx.Err() != nil {
			f.mu.Unlock()
			return
		}
		ch = make(chan struct{}, 1)
		f.kick[ds] = ch
		f.wg.Add(1)
		go f.loop(ds, ch)
	}
	f.mu.Unlock()
	select {
	case ch <- struct{}{}:
	default: // a refresh is already due
	}
}

func (f *freshener) loop(ds string, kick <-chan struct{}) {
	defer f.wg.Done()
	var last time.Time
	for {
		select {
		case <-f.ctx.Done():
			return
		case <-kick:
		}
		if wait := f.minInterval - time.Since(last); wait > 0 {
			select {
			case <-f.ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		last = time.Now()
		seq, err := f.refresh(ds)
		f.log.Debug("views: refreshed after writes", "datastore", ds, "seq", seq, "took", time.Since(last))
		if err != nil {
			if f.ctx.Err() != nil {
				return
			}
			f.log.Warn("views: refresh after writes failed; retrying in a second", "datastore", ds, "error", err)
			time.AfterFunc(time.Second, func() { f.Changed(ds) })
			continue
		}
		if f.done != nil {
			f.done(ds, seq)
		}
	}
}

// refresh runs one incremental refresh of ds and returns the change
// sequence its views now reflect.
func (f *freshener) refresh(ds string) (uint64, error) {
	st, err := f.l.store(ds)
	if err != nil {
		return 0, err
	}
	unlock := f.views.lock(ds)
	defer unlock()
	if _, err := updateViews(f.ctx, f.l, ds, st); err != nil {
		return 0, err
	}
	if err := f.views.publish(f.ctx, ds); err != nil {
		return 0, err
	}
	return f.l.cat.MaterializedSeq(ds)
}

// Close stops the refreshes and waits for a running one to finish.
func (f *freshener) Close() {
	f.mu.Lock()
	f.cancel()
	f.mu.Unlock()
	f.wg.Wait()
}
