package ingest

import (
	"context"
	"fmt"
)

// Record is one valid resource read from a file.
type Record struct {
	File string // path as given to ReadFile
	Line int    // 1-based line where the resource starts (NDJSON: its line; Bundle: the line of its entry)
	Type string // resourceType
	ID   string // logical id, from the resource or assigned from its content
	// Body is the compact JSON of the resource. It always carries "id" (an
	// assigned id is inserted) and, for Bundle entries, references to other
	// entries are rewritten to "Type/id". The receiver owns it.
	Body []byte
}

// RecordError is one rejected record, or a file that could not be read at
// all (Line 0). It does not stop the read.
type RecordError struct {
	File   string
	Line   int // 1-based; 0 when the problem concerns the whole file
	Reason string
}

// Error returns "file:line: reason" (or "file: reason" for Line 0).
func (e *RecordError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// Handler receives what ReadFile reads. Either field may be nil: records
// or rejections are then only counted.
type Handler struct {
	// Record is called once per valid resource, in file order. A non-nil
	// error stops the read and is returned by ReadFile.
	Record func(Record) error
	// Reject is called once per rejected record, in file order. It cannot
	// stop the read; cancel ReadFile's context to do that.
	Reject func(*RecordError)
}

// FileStats counts what ReadFile did with one file.
type FileStats struct {
	Records  int   // records passed to Handler.Record
	Rejected int   // errors passed to Handler.Reject
	Bytes    int64 // uncompressed bytes read (the last pass, for bundles)
}

// ReadFile reads one file and calls h for each record and each rejection.
// The format is chosen by the file name (see [Walk]); gzip and zstd are
// detected by their magic bytes (a ".gz" or ".zst" name whose content does
// not match is rejected).
//
// Besides the checks of every record (see the package documentation), an
// NDJSON file rejects a line longer than MaxRecordBytes (skipped without
// being held), a resource of another type than its name announces
// (fileTypeOf: "Patient.000.ndjson" holds only Patients), and a second
// resource with the same type and id, naming the line of the first; a
// Bundle rejects an entry repeating the fullUrl or the type and id of an
// earlier entry. Duplicates are found per file (per Bundle) with 64-bit
// hashes, about 15–19 bytes a resource, freed when the file ends.
//
// It returns an error only for what stops the whole run: ctx canceled or an
// error of h.Record. A file that cannot be opened or decoded is reported
// through h.Reject like a bad record, with Line 0.
func ReadFile(ctx context.Context, path string, h Handler) (FileStats, error) {
	return readInput(ctx, path, func() (*source, string) { return openSource(path) }, h)
}

// readInput is ReadFile for any input: name gives the format and is the
// File of records and errors; open opens it (twice for a Bundle).
func readInput(ctx context.Context, name string, open opener, h Handler) (FileStats, error) {
	em := &emitter{ctx: ctx, file: name, h: h}
	format, ok := formatOf(name)
	if !ok {
		err := em.reject(0, "unsupported file type (want .ndjson, .jsonl or .json, optionally .gz or .zst)")
		return em.stats, err
	}
	var err error
	switch format {
	case formatNDJSON:
		err = readNDJSONFile(em, open)
	case formatJSON:
		err = readJSONFile(em, open)
	}
	if err == nil {
		err = ctx.Err()
	}
	return em.stats, err
}

// emitter delivers records and rejections of one file to a Handler and
// counts them.
type emitter struct {
	ctx   context.Context
	file  string
	h     Handler
	stats FileStats
	n     int // calls since the last context check
}

// ctxEvery is how many records pass between checks of ctx.Err.
const ctxEvery = 256

func (em *emitter) record(line int, typ, id string, body []byte) error {
	em.stats.Records++
	if em.h.Record != nil {
		if err := em.h.Record(Record{File: em.file, Line: line, Type: typ, ID: id, Body: body}); err != nil {
			return err
		}
	}
	return em.tick()
}

func (em *emitter) reject(line int, reason string) error {
	em.stats.Rejected++
	if em.h.Reject != nil {
		em.h.Reject(&RecordError{File: em.file, Line: line, Reason: reason})
	}
	return em.tick()
}

func (em *emitter) tick() error {
	em.n++
	if em.n < ctxEvery {
		return nil
	}
	em.n = 0
	return em.ctx.Err()
}
