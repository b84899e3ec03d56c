package engine

import (
	"sync"
	"time"
)

// activity tracks the queries whose results are open, so that the owner of
// the view files knows when no query can still open a replaced one (DuckDB
// opens a view's Parquet files while the query runs, not when it starts).
type activity struct {
	mu      sync.Mutex
	next    uint64
	running map[uint64]time.Time
}

// begin records a query starting now and returns the func that ends it;
// calling that more than once is harmless.
func (a *activity) begin() func() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.running == nil {
		a.running = map[uint64]time.Time{}
	}
	a.next++
	id := a.next
	a.running[id] = time.Now()
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			delete(a.running, id)
			a.mu.Unlock()
		})
	}
}

// oldest returns the start of the oldest running query.
func (a *activity) oldest() (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var t time.Time
	for _, s := range a.running {
		if t.IsZero() || s.Before(t) {
			t = s
		}
	}
	return t, !t.IsZero()
}

// OldestQuery returns when the oldest query still running (or whose result
// is still open, such as a cursor's) started, and false if none is.
func (e *Engine) OldestQuery() (time.Time, bool) { return e.queries.oldest() }
