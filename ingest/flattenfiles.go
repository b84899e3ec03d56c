package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/fhirlake/fhirlake/flatten"
)

// FlattenStats says what FlattenFiles did.
type FlattenStats struct {
	Files     int
	Resources int   // valid resources read (of every type)
	Matched   int   // resources of the view's type
	Rows      int64 // rows written
	Rejected  int   // records the readers rejected
	Skipped   int   // resources of the view's type it could not flatten
	Bytes     int64 // uncompressed bytes read
}

// flattenHandoff is the number of resources passed to a worker at a time;
// with two batches queued per worker and one record batch each in
// flight, it bounds the memory FlattenFiles holds whatever the input size.
const flattenHandoff = 512

// FlattenFiles evaluates view v over the resources of the files and
// folders in paths (read as Import reads them, without storing anything)
// and writes the rows to w as one Parquet file. Resources of other types
// are skipped. One worker per core flattens; memory stays bounded by the
// queues, not by the input, so a file of any size can be flattened.
// Rejected records and resources the view cannot flatten go to reject.
func FlattenFiles(ctx context.Context, v *flatten.View, paths []string, w io.Writer, reject func(error)) (FlattenStats, error) {
	var st FlattenStats
	if reject == nil {
		reject = func(error) {}
	}
	files, _, err := Walk(paths)
	if err != nil {
		return st, err
	}
	pw, err := flatten.NewParquetWriter(w, v.Schema())
	if err != nil {
		return st, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := runtime.GOMAXPROCS(0)
	in := make(chan []Record, 2*n)
	out := make(chan arrow.RecordBatch, n)
	var mu sync.Mutex // guards st.Skipped and reject from the workers
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := v.NewBuilder(memory.DefaultAllocator)
			defer b.Release()
			for batch := range in {
				for _, r := range batch {
					if err := b.Append(r.Body); err != nil {
						mu.Lock()
						st.Skipped++
						reject(fmt.Errorf("%s:%d: %s/%s: %w", r.File, r.Line, r.Type, r.ID, err))
						mu.Unlock()
					}
				}
				if b.Len() >= recordRows/4 {
					select {
					case out <- b.NewRecord():
					case <-ctx.Done():
						return
					}
				}
			}
			if b.Len() > 0 {
				select {
				case out <- b.NewRecord():
				case <-ctx.Done():
				}
			}
		}()
	}
	writeErr := make(chan error, 1)
	go func() {
		var err error
		for rec := range out {
			if err == nil {
				st.Rows += rec.NumRows()
				if err = pw.Write(rec); err != nil {
					cancel()
				}
			}
			rec.Release()
		}
		writeErr <- err
	}()

	readErr := func() error {
		defer close(in)
		batch := make([]Record, 0, flattenHandoff)
		send := func() error {
			select {
			case in <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
			batch = make([]Record, 0, flattenHandoff)
			return nil
		}
		for _, f := range files {
			fs, err := ReadFile(ctx, f, Handler{
				Record: func(r Record) error {
					st.Resources++
					if r.Type != v.Resource() {
						return nil
					}
					st.Matched++
					batch = append(batch, r)
					if len(batch) == flattenHandoff {
						return send()
					}
					return nil
				},
				Reject: func(e *RecordError) {
					mu.Lock()
					reject(e)
					mu.Unlock()
				},
			})
			st.Files++
			st.Rejected += fs.Rejected
			st.Bytes += fs.Bytes
			if err != nil {
				return err
			}
		}
		if len(batch) > 0 {
			return send()
		}
		return nil
	}()
	wg.Wait()
	close(out)
	werr := <-writeErr
	if cerr := pw.Close(); werr == nil {
		werr = cerr
	}
	return st, errors.Join(readErr, werr)
}
