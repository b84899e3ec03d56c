package ingest

import (
	"context"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/fhirlake/fhirlake/store"
)

// Sink receives validated resources in batches; *store.Store is one.
// Put must be atomic per batch and return one Outcome per input.
type Sink interface {
	Put(ctx context.Context, in []store.Input) ([]store.Outcome, error)
}

// Options tune Import. The zero value is usable.
type Options struct {
	// BatchSize is the number of resources per store transaction
	// (default 5,000): large enough to amortise the fsync, small enough
	// to bound memory.
	BatchSize int
	// Reject is called for every rejected record, in file order. Nil
	// discards them (they are still counted).
	Reject func(*RecordError)
}

// TypeCounts counts what happened to the resources of one type.
type TypeCounts struct {
	Created, Updated, Unchanged int
}

// Total is the number of valid resources of the type that were read.
func (c TypeCounts) Total() int { return c.Created + c.Updated + c.Unchanged }

// Summary describes a finished import.
type Summary struct {
	Files    int                    // files read
	Skipped  []string               // files ignored (not FHIR NDJSON or JSON)
	Bytes    int64                  // size of the files read, as stored on disk
	ByType   map[string]*TypeCounts // by resourceType
	Rejected int                    // records rejected, each reported to Options.Reject
	Elapsed  time.Duration
}

// Resources is the number of valid resources read.
func (s Summary) Resources() int {
	n := 0
	for _, c := range s.ByType {
		n += c.Total()
	}
	return n
}

// ChangedTypes returns the resource types that gained a version, sorted:
// the views over them need rebuilding.
func (s Summary) ChangedTypes() []string {
	out := []string{}
	for _, t := range s.Types() {
		if c := s.ByType[t]; c.Created+c.Updated > 0 {
			out = append(out, t)
		}
	}
	return out
}

// Types returns the resource types seen, sorted.
func (s Summary) Types() []string {
	out := make([]string, 0, len(s.ByType))
	for t := range s.ByType {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Import reads every FHIR file under paths and writes the valid resources
// to sink in batches. Reading and writing overlap: one goroutine parses
// while the sink commits the previous batch. A rejected record never stops
// the import; an I/O error of the sink or ctx cancellation does, after
// which every batch already committed stays committed and re-running the
// same import is idempotent (unchanged resources create no new version).
func Import(ctx context.Context, sink Sink, paths []string, opts Options) (Summary, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	files, skipped, err := Walk(paths)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Skipped: skipped, ByType: map[string]*TypeCounts{}}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []store.Input, 1)
	done := make(chan error, 1)
	go func() { done <- writeBatches(ctx, cancel, sink, batches, &sum) }()

	batch := make([]store.Input, 0, opts.BatchSize)
	h := Handler{
		Record: func(r Record) error {
			batch = append(batch, store.Input{Type: r.Type, ID: r.ID, Body: r.Body})
			if len(batch) < opts.BatchSize {
				return nil
			}
			select {
			case batches <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
			batch = make([]store.Input, 0, opts.BatchSize)
			return nil
		},
		Reject: func(e *RecordError) {
			sum.Rejected++
			if opts.Reject != nil {
				opts.Reject(e)
			}
		},
	}
	var readErr error
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			sum.Bytes += fi.Size()
		}
		sum.Files++
		if _, readErr = ReadFile(ctx, f, h); readErr != nil {
			break
		}
	}
	if readErr == nil && len(batch) > 0 {
		select {
		case batches <- batch:
		case <-ctx.Done():
			readErr = ctx.Err()
		}
	}
	close(batches)
	writeErr := <-done
	sum.Elapsed = time.Since(start)
	if writeErr != nil {
		return sum, writeErr // the reader's error, if any, is its consequence
	}
	if readErr != nil {
		return sum, fmt.Errorf("ingest: %w", readErr)
	}
	return sum, nil
}

// writeBatches commits batches in order and counts the outcomes. It owns
// sum.ByType until it returns.
func writeBatches(ctx context.Context, cancel context.CancelFunc, sink Sink, batches <-chan []store.Input, sum *Summary) error {
	var firstErr error
	for b := range batches {
		if firstErr != nil {
			continue // drain so the reader never blocks
		}
		outcomes, err := sink.Put(ctx, b)
		if err != nil {
			firstErr = fmt.Errorf("ingest: write batch of %d resources: %w", len(b), err)
			cancel() // stop the reader; committed batches stay committed
			continue
		}
		for i, o := range outcomes {
			c := sum.ByType[b[i].Type]
			if c == nil {
				c = &TypeCounts{}
				sum.ByType[b[i].Type] = c
			}
			switch o {
			case store.Created:
				c.Created++
			case store.Updated:
				c.Updated++
			default:
				c.Unchanged++
			}
		}
	}
	return firstErr
}
