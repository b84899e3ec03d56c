package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fhirlake/fhirlake/ingest/csvmap"
)

// noMappingReason is the rejection of a CSV input read without a mapping.
const noMappingReason = "a CSV extract needs a mapping (Options.CSV; `fhirlake import --mapping FILE`): the file was not read"

// csvReader converts the CSV inputs of one import through its mapping.
// It is used by the reading goroutine only.
type csvReader struct {
	m     *csvmap.Mapping // nil: every CSV input is rejected
	found *foundOrCreated
}

// newCSVReader returns the reader of the CSV inputs of an import into
// sink with the mapping m (nil when none was given).
func newCSVReader(m *csvmap.Mapping, sink Sink) *csvReader {
	return &csvReader{m: m, found: newFoundOrCreated(sink)}
}

// stopError carries an error of the Handler (or ctx) out of
// csvmap.Convert: it stops the whole import, unlike a problem with the
// file.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

// read converts the CSV input name, opened by open, and hands each
// produced resource to h as a record of the CSV line of its row. Every
// csvmap.RowError is one rejected record; a header the mapping cannot
// use, or a file that cannot be read, rejects the file (line 1 or 0).
// Like ReadFile, it returns an error only for what stops the import.
func (c *csvReader) read(ctx context.Context, name string, open opener, h Handler) error {
	em := &emitter{ctx: ctx, file: name, h: h}
	if c.m == nil {
		return em.reject(0, noMappingReason)
	}
	src, reason := open()
	if reason != "" {
		return em.reject(0, reason)
	}
	defer src.Close()
	rows := &csvRows{c: c, em: em, rs: newResourceScanner()}
	_, err := c.m.Convert(ctx, src.in, name, rows.add, func(re *csvmap.RowError) error {
		if err := em.reject(re.Line, rowReason(re)); err != nil {
			return &stopError{err}
		}
		return nil
	})
	var stop *stopError
	switch {
	case errors.As(err, &stop):
		return stop.err
	case ctx.Err() != nil:
		return ctx.Err()
	}
	if ferr := rows.flush(); ferr != nil {
		return ferr
	}
	if f := src.failure(); f != "" {
		return em.reject(0, f)
	}
	if err != nil {
		return em.reject(fileErrorLine(err), fileReason(err, name))
	}
	return ctx.Err()
}

// rowReason is the reason of a rejected row: the csvmap.RowError without
// the "file:line: " that the RecordError carries itself.
func rowReason(re *csvmap.RowError) string {
	switch {
	case re.Column != "":
		return fmt.Sprintf("column %q: %v", re.Column, re.Err)
	case re.Resource != "":
		return fmt.Sprintf("resource %q: %v", re.Resource, re.Err)
	}
	return re.Err.Error()
}

// fileErrorLine is the line of a conversion error that stopped a file:
// the header (1) when the mapping cannot use it, else 0 (the whole file).
func fileErrorLine(err error) int {
	if errors.Is(err, csvmap.ErrHeader) {
		return 1
	}
	return 0
}

// fileReason strips the prefixes that repeat the file's name from a
// conversion error.
func fileReason(err error, name string) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, csvmap.ErrHeader.Error()+": ")
	msg = strings.TrimPrefix(msg, "csvmap: ")
	for _, p := range []string{name + ":1: ", name + ": "} {
		msg = strings.TrimPrefix(msg, p)
	}
	if errors.Is(err, csvmap.ErrHeader) {
		return "unusable CSV header: " + msg
	}
	return "CSV: " + msg
}

// csvRows collects the outputs of one row (csvmap emits them together,
// after the row converted) and hands them on when the next row starts,
// so that a reference to a found-or-created resource can be rewritten
// whatever the order of the mapping's resources.
type csvRows struct {
	c    *csvReader
	em   *emitter
	rs   *resourceScanner
	line int
	row  []csvmap.Output
}

// add is the emit function of csvmap.Convert.
func (r *csvRows) add(o csvmap.Output) error {
	if len(r.row) > 0 && o.Line != r.line {
		if err := r.flush(); err != nil {
			return &stopError{err}
		}
	}
	r.line = o.Line
	r.row = append(r.row, o)
	return nil
}

// flush resolves the found-or-created resources of the buffered row,
// rewrites the references to them, and records the row's resources,
// each checked as any NDJSON record is. A row whose found-or-created
// resource is ambiguous is rejected whole.
func (r *csvRows) flush() error {
	row := r.row
	r.row = r.row[:0]
	if len(row) == 0 {
		return nil
	}
	refs, skip, reason, err := r.c.found.resolveRow(r.em.ctx, row)
	if err != nil {
		return err
	}
	if reason != "" {
		return r.em.reject(row[0].Line, reason)
	}
	for i, o := range row {
		if skip[i] {
			continue
		}
		if err := r.record(o, refs); err != nil {
			return err
		}
	}
	return nil
}

// record validates one produced resource like an NDJSON line and hands
// it on, its references to found-or-created resources rewritten.
func (r *csvRows) record(o csvmap.Output, refs map[string]string) error {
	res, bad := r.rs.inspect(o.Resource)
	switch {
	case bad != nil:
		return r.em.reject(o.Line, fmt.Sprintf("resource %q: %s", o.Alias, bad.reason))
	case res.typ != o.Type || res.id != o.ID:
		return r.em.reject(o.Line, fmt.Sprintf("resource %q: produced %s/%s, want %s/%s", o.Alias, res.typ, res.id, o.Type, o.ID))
	}
	return r.em.record(o.Line, res.typ, res.id, body(o.Resource, res, refs, false))
}
