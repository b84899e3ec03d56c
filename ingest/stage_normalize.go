package ingest

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fhirlake/fhirlake/ingest/normalize"
	"github.com/fhirlake/fhirlake/store"
)

// normalizeStage standardises the records of each batch (Options.Normalize)
// between the reader and the writer, on all CPUs: normalising is about as
// costly as parsing, so doing it in the reading goroutine would halve the
// import's rate. A nil *normalizeStage is off.
type normalizeStage struct {
	n       *normalize.Normalizer
	workers int
}

// newNormalizeStage returns the stage of n, or nil when n is nil.
func newNormalizeStage(n *normalize.Normalizer) *normalizeStage {
	if n == nil {
		return nil
	}
	return &normalizeStage{n: n, workers: runtime.GOMAXPROCS(0)}
}

// recordAt is where a batched record was read, to report its rejection.
type recordAt struct {
	file string
	line int
}

// pendingBatch is a batch being filled by the reader: the inputs, and
// where each was read (only kept when the stage is on).
type pendingBatch struct {
	in []store.Input
	at []recordAt
}

// add appends a record.
func (b *pendingBatch) add(r Record) {
	b.in = append(b.in, store.Input{Type: r.Type, ID: r.ID, Body: r.Body})
	if b.at != nil {
		b.at = append(b.at, recordAt{file: r.File, line: r.Line})
	}
}

// batchSender hands the reader's full batches on: through the normalize
// stage when it is on, straight to the writer otherwise.
type batchSender struct {
	ctx context.Context
	raw chan pendingBatch // to the stage; nil when it is off
	out chan<- []store.Input
	// waited is the time send spent waiting for the next stage (the
	// reader's goroutine owns it).
	waited time.Duration
}

// newBatchSender sends batches to out, through stage (nil: off), whose
// goroutine it starts; see normalizeStage.run for reject and changed.
func newBatchSender(ctx context.Context, stage *normalizeStage, busy *time.Duration, out chan<- []store.Input, reject func(*RecordError), changed func(int)) *batchSender {
	bs := &batchSender{ctx: ctx, out: out}
	if stage != nil {
		bs.raw = make(chan pendingBatch, 1)
		go stage.run(ctx, bs.raw, out, busy, reject, changed)
	}
	return bs
}

// newBatch returns an empty batch of the given capacity.
func (bs *batchSender) newBatch(size int) pendingBatch {
	b := pendingBatch{in: make([]store.Input, 0, size)}
	if bs.raw != nil {
		b.at = make([]recordAt, 0, size)
	}
	return b
}

// send hands b on, or returns ctx's error once it is done.
func (bs *batchSender) send(b pendingBatch) error {
	defer func(t0 time.Time) { bs.waited += time.Since(t0) }(time.Now())
	if bs.raw == nil {
		select {
		case bs.out <- b.in:
			return nil
		case <-bs.ctx.Done():
			return bs.ctx.Err()
		}
	}
	select {
	case bs.raw <- b:
		return nil
	case <-bs.ctx.Done():
		return bs.ctx.Err()
	}
}

// close says no batch follows; the writer's channel is closed once the
// stage has sent everything on.
func (bs *batchSender) close() {
	if bs.raw == nil {
		close(bs.out)
		return
	}
	close(bs.raw)
}

// run normalises the batches of in and sends them on to out, which it
// closes when in is closed. Records it cannot normalise are dropped from
// their batch and reported to reject (after the reader's rejections of
// the records read before the batch was sent, so not strictly in file
// order); changed counts the changed ones. Once ctx is done it drains in
// without sending.
// busy accumulates the time spent normalising; it is the stage's until
// out is closed.
func (s *normalizeStage) run(ctx context.Context, in <-chan pendingBatch, out chan<- []store.Input, busy *time.Duration, reject func(*RecordError), changed func(int)) {
	defer close(out)
	for b := range in {
		if ctx.Err() != nil {
			continue
		}
		t0 := time.Now()
		batch, n := s.batch(b, reject)
		*busy += time.Since(t0)
		if n > 0 {
			changed(n)
		}
		if len(batch) == 0 {
			continue
		}
		select {
		case out <- batch:
		case <-ctx.Done():
		}
	}
}

// batch normalises the bodies of b in place, in parallel, and returns the
// inputs left and how many changed.
func (s *normalizeStage) batch(b pendingBatch, reject func(*RecordError)) ([]store.Input, int) {
	reasons := make([]string, len(b.in))
	changes := make([]bool, len(b.in))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(s.workers, len(b.in)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(b.in); i = int(next.Add(1) - 1) {
				changes[i], reasons[i] = s.apply(&b.in[i].Body)
			}
		}()
	}
	wg.Wait()
	kept, n := b.in[:0], 0
	for i, in := range b.in {
		if reasons[i] != "" {
			reject(&RecordError{File: b.at[i].file, Line: b.at[i].line, Reason: reasons[i]})
			continue
		}
		if changes[i] {
			n++
		}
		kept = append(kept, in)
	}
	return kept, n
}

// apply normalises one body. It reports whether the body changed (it then
// carries the normalize.TagSystem meta.tag), or a non-empty reason to
// reject the record.
func (s *normalizeStage) apply(body *[]byte) (changed bool, reason string) {
	out, changes, err := s.n.Normalize(*body)
	if err != nil {
		return false, "normalisation failed: " + err.Error()
	}
	if len(changes) == 0 {
		return false, ""
	}
	*body = out
	return true, ""
}
