package ingest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fhirlake/fhirlake/ingest/csvmap"
	"github.com/fhirlake/fhirlake/ingest/normalize"
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
	// Reject is called for every rejected record, in file order (except
	// that a record the Normalize stage refuses is reported when its
	// batch is normalised, after later records of the same batch were
	// read), one call at a time. Nil discards them (they are still
	// counted).
	Reject func(*RecordError)
	// Progress, when set, is called with the import's progress after
	// each committed batch, after each file, at most every 250 ms
	// between them while records are rejected, and once at the end. It
	// is called from more than one goroutine, one call at a time, and
	// must not block for long.
	Progress func(Progress)
	// CSV converts the CSV extracts among the inputs (".csv", optionally
	// ".gz" or ".zst", local or s3://) into resources, which then go
	// through the same checks as any NDJSON record. Each problem with a
	// row (csvmap.RowError) is a rejected record naming the row's line
	// and the column. Nil rejects every CSV input as a whole.
	CSV *csvmap.Mapping
	// Normalize, when set, standardises every record (package
	// normalize) before it is batched; a changed record carries the
	// normalize.TagSystem meta.tag and is counted in Normalized. A record
	// it cannot process is rejected. Nil (the default) stores records as
	// read.
	Normalize *normalize.Normalizer
}

// Progress describes an import under way.
type Progress struct {
	Files      int   // files finished
	FilesTotal int   // files to read
	BytesRead  int64 // bytes read, as stored on disk (compressed files count as they finish)
	BytesTotal int64 // size of all files to read, as stored on disk
	Records    int   // valid resources committed to the store
	Rejected   int   // records rejected so far
	Normalized int   // records changed by Options.Normalize so far
	// ByType counts the committed resources by resourceType. The
	// receiver owns the map.
	ByType map[string]TypeCounts
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
	Skipped  []string               // files ignored (not FHIR NDJSON, JSON or CSV)
	Bytes    int64                  // size of the files read, as stored on disk
	ByType   map[string]*TypeCounts // by resourceType
	Rejected int                    // records rejected, each reported to Options.Reject
	// Normalized counts the records Options.Normalize changed.
	Normalized int
	Elapsed    time.Duration
	// Stages is the time each stage was busy.
	Stages Stages
}

// Stages is the time each stage of an import was busy. The stages run at
// the same time (the reader parses the next batch while the normalize
// stage works on one and the sink writes another), so their sum exceeds
// the elapsed time and the largest one sets the pace.
type Stages struct {
	// Read is reading, decompressing, parsing and validating (and
	// converting CSV), less the time the reader waited for the next
	// stage to take a batch.
	Read time.Duration
	// Normalize is normalising batches (Options.Normalize), on all CPUs.
	Normalize time.Duration
	// Write is the sink's Put: for the store, hashing, compressing and
	// committing; for a resolving sink, resolving references too.
	Write time.Duration
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
// to sink in batches. CSV extracts among them (".csv", ".csv.gz",
// ".csv.zst", named or found in folders and under s3:// prefixes) are
// converted through Options.CSV; found-or-created resources of the
// mapping (csvmap's ifNoneExist) are searched for in sink when it is an
// [IdentifierFinder], and references to them rewritten to "Type/id".
// With Options.Normalize, every batch is normalised on all CPUs before it
// is written. Reading and writing overlap: one goroutine parses while the
// sink commits the previous batch. A rejected record never stops
// the import; an I/O error of the sink or ctx cancellation does, after
// which every batch already committed stays committed and re-running the
// same import is idempotent (unchanged resources create no new version).
func Import(ctx context.Context, sink Sink, paths []string, opts Options) (Summary, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	ins, err := expandInputs(ctx, paths)
	if err != nil {
		return Summary{}, err
	}
	ins.csv = newCSVReader(opts.CSV, sink)
	sum := Summary{Skipped: ins.skipped, ByType: map[string]*TypeCounts{}}
	tr := newTracker(opts.Progress, ins.sizes())
	norm := newNormalizeStage(opts.Normalize)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []store.Input, 1)
	done := make(chan error, 1)
	go func() { done <- writeBatches(ctx, cancel, sink, batches, &sum, tr) }()

	var rejectMu sync.Mutex // the reader and the normalize stage reject
	reject := func(e *RecordError) {
		rejectMu.Lock()
		defer rejectMu.Unlock()
		sum.Rejected++
		tr.update(false, func(p *Progress) { p.Rejected++ })
		if opts.Reject != nil {
			opts.Reject(e)
		}
	}
	out := newBatchSender(ctx, norm, &sum.Stages.Normalize, batches, reject, func(n int) {
		sum.Normalized += n // only the stage's goroutine writes it
		tr.update(false, func(p *Progress) { p.Normalized += n })
	})
	batch := out.newBatch(opts.BatchSize)
	h := Handler{
		Record: func(r Record) error {
			batch.add(r)
			tr.read(len(r.Body) + 1)
			if len(batch.in) < opts.BatchSize {
				return nil
			}
			if err := out.send(batch); err != nil {
				return err
			}
			batch = out.newBatch(opts.BatchSize)
			return nil
		},
		Reject: reject,
	}
	readStart := time.Now()
	readErr := ins.read(ctx, h, func(in input, read func() error) error {
		sum.Bytes += in.size
		sum.Files++
		tr.fileStart(in.name, in.size)
		defer tr.fileDone()
		return read()
	})
	if readErr == nil && len(batch.in) > 0 {
		readErr = out.send(batch)
	}
	sum.Stages.Read = time.Since(readStart) - out.waited
	out.close()
	writeErr := <-done
	tr.update(true, func(*Progress) {})
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
func writeBatches(ctx context.Context, cancel context.CancelFunc, sink Sink, batches <-chan []store.Input, sum *Summary, tr *tracker) error {
	var firstErr error
	for b := range batches {
		if firstErr != nil {
			continue // drain so the reader never blocks
		}
		t0 := time.Now()
		outcomes, err := sink.Put(ctx, b)
		sum.Stages.Write += time.Since(t0)
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
		tr.committed(b, outcomes)
	}
	return firstErr
}

// tracker keeps the Progress of an import and reports it to
// Options.Progress. A nil *tracker (no callback) does nothing.
type tracker struct {
	mu   sync.Mutex
	fn   func(Progress)
	p    Progress
	last time.Time
	// The current file: BytesRead when it started, its size, and
	// whether it is uncompressed.
	base, size int64
	plain      bool
}

// progressEvery bounds how often rejections alone report progress.
const progressEvery = 250 * time.Millisecond

// newTracker tracks the reading of inputs of the given sizes (as stored).
func newTracker(fn func(Progress), sizes []int64) *tracker {
	if fn == nil {
		return nil
	}
	t := &tracker{fn: fn, p: Progress{FilesTotal: len(sizes), ByType: map[string]TypeCounts{}}}
	for _, n := range sizes {
		t.p.BytesTotal += n
	}
	return t
}

// update changes the progress under the lock and reports it if force is
// set or the last report is older than progressEvery.
func (t *tracker) update(force bool, change func(*Progress)) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	change(&t.p)
	if !force && time.Since(t.last) < progressEvery {
		return
	}
	t.last = time.Now()
	p := t.p
	p.ByType = make(map[string]TypeCounts, len(t.p.ByType))
	for k, v := range t.p.ByType {
		p.ByType[k] = v
	}
	t.fn(p)
}

// fileStart begins a file: the bytes of its records are counted
// towards BytesRead as they are read, up to its size, unless it is
// compressed (its records are then larger than the file).
func (t *tracker) fileStart(path string, size int64) {
	t.update(false, func(p *Progress) {
		t.base, t.size = p.BytesRead, size
		lower := strings.ToLower(path)
		t.plain = !strings.HasSuffix(lower, ".gz") && !strings.HasSuffix(lower, ".zst")
	})
}

// read counts n bytes of records of the current file.
func (t *tracker) read(n int) {
	t.update(false, func(p *Progress) {
		if t.plain {
			p.BytesRead = min(p.BytesRead+int64(n), t.base+t.size)
		}
	})
}

// fileDone counts a finished file.
func (t *tracker) fileDone() {
	t.update(true, func(p *Progress) {
		p.Files++
		p.BytesRead = t.base + t.size
	})
}

// committed counts the outcomes of a committed batch.
func (t *tracker) committed(b []store.Input, outcomes []store.Outcome) {
	t.update(true, func(p *Progress) {
		for i, o := range outcomes {
			c := p.ByType[b[i].Type]
			switch o {
			case store.Created:
				c.Created++
			case store.Updated:
				c.Updated++
			default:
				c.Unchanged++
			}
			p.ByType[b[i].Type] = c
		}
		p.Records += len(outcomes)
	})
}
