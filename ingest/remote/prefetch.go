package remote

import (
	"context"
	"io"
	"sync"
)

// OpenFunc opens one object for streaming.
type OpenFunc func(ctx context.Context, o Object) (io.ReadCloser, error)

// Prefetcher reads objects ahead in parallel and hands them out in order.
// Create it with [Prefetch]; call Next until it reports false, then Close.
type Prefetcher struct {
	ctx    context.Context
	cancel context.CancelFunc
	ready  chan *Stream
	wg     sync.WaitGroup
}

// Prefetch starts reading objs with open, at most parallel objects at a
// time (including the one the caller is reading), each read ahead by up to
// readAhead bytes. parallel < 1 means 1; readAhead < chunkSize means
// chunkSize.
func Prefetch(ctx context.Context, objs []Object, open OpenFunc, parallel, readAhead int) *Prefetcher {
	parallel = max(parallel, 1)
	chunks := max(readAhead/chunkSize, 1)
	ctx, cancel := context.WithCancel(ctx)
	p := &Prefetcher{ctx: ctx, cancel: cancel, ready: make(chan *Stream, parallel)}
	slots := make(chan struct{}, parallel)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(p.ready)
		for _, o := range objs {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			s := newStream(ctx, o, chunks, func() { <-slots })
			p.wg.Add(1)
			go func() { defer p.wg.Done(); s.fill(open) }()
			p.ready <- s // never blocks: at most parallel streams hold a slot
		}
	}()
	return p
}

// Next returns the next object's stream, in the order given to Prefetch,
// or false when there are no more (or the context was canceled). The
// caller must Close the stream before the one after next can start.
func (p *Prefetcher) Next() (*Stream, bool) {
	s, ok := <-p.ready
	return s, ok
}

// Close stops all reads and waits for them. Streams not yet returned by
// Next are discarded.
func (p *Prefetcher) Close() error {
	p.cancel()
	for s := range p.ready {
		_ = s.Close()
	}
	p.wg.Wait()
	return nil
}
