package store

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Work is handed to parallel workers in chunks of parChunk indices;
// batches smaller than parMin run on the calling goroutine.
const (
	parChunk = 32
	parMin   = 64
)

// parallel calls fn(i) for every i in [0, n) on up to GOMAXPROCS
// goroutines, each of which first calls setup (which returns the worker's
// fn and a cleanup) so it can keep per-worker state such as a read
// transaction. Indices are handed out in increasing order; after the first
// failure no new chunk is started, so the error returned is the one of the
// lowest failing index, as a sequential loop would report.
func parallel(ctx context.Context, n int, setup func() (fn func(i int) error, done func(), err error)) error {
	workers := min(runtime.GOMAXPROCS(0), (n+parMin-1)/parMin)
	if workers <= 1 {
		return runChunk(ctx, 0, n, setup)
	}
	var (
		next   atomic.Int64
		failed atomic.Bool
		mu     sync.Mutex
		errAt  = n
		first  error
		wg     sync.WaitGroup
	)
	fail := func(i int, err error) {
		failed.Store(true)
		mu.Lock()
		defer mu.Unlock()
		if i < errAt {
			errAt, first = i, err
		}
	}
	for range workers {
		wg.Go(func() {
			fn, done, err := setup()
			if err != nil {
				fail(0, err)
				return
			}
			defer done()
			for !failed.Load() {
				lo := int(next.Add(parChunk)) - parChunk
				if lo >= n {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(lo, err)
					return
				}
				for i := lo; i < min(lo+parChunk, n); i++ {
					if err := fn(i); err != nil {
						fail(i, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	return first
}

// runChunk is parallel on the calling goroutine.
func runChunk(ctx context.Context, lo, hi int, setup func() (func(int) error, func(), error)) error {
	fn, done, err := setup()
	if err != nil {
		return err
	}
	defer done()
	for i := lo; i < hi; i++ {
		if (i-lo)%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(i); err != nil {
			return err
		}
	}
	return nil
}
