package csvmap

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// ErrHeader is wrapped by the structural errors that stop a conversion
// before its first row: no header, or a header without a column the
// mapping needs.
var ErrHeader = errors.New("csvmap: unusable header")

// Convert reads a CSV file from src, whose first row is the header, and
// converts each row into the resources of the mapping, one row at a time.
// name is the file name used in errors.
//
// For each good row, emit is called once per produced resource, in mapping
// order. For each bad row, reject (which may be nil) is called once per
// problem found in it, and the row produces nothing. emit must not be nil. An error returned by
// emit or reject stops the conversion and is returned wrapped.
//
// Convert returns an error, and converts nothing, when the header is
// missing or unreadable or lacks a column the mapping needs; it stops with
// an error when reading src fails or ctx is done.
func (m *Mapping) Convert(ctx context.Context, src io.Reader, name string, emit func(Output) error, reject func(*RowError) error) (Stats, error) {
	var st Stats
	if emit == nil {
		return st, errors.New("csvmap: Convert needs an emit function")
	}
	cr := csv.NewReader(skipBOM(src))
	cr.Comma = m.delim
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return st, fmt.Errorf("%w: %s: the file is empty (a header row is required)", ErrHeader, name)
		}
		return st, fmt.Errorf("%w: %s: reading the header: %w", ErrHeader, name, err)
	}
	rc, err := m.newRow(name, header)
	if err != nil {
		return st, err
	}
	lastErrLine := 0
	for {
		if err := ctx.Err(); err != nil {
			return st, fmt.Errorf("csvmap: %s: %w", name, err)
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return st, fmt.Errorf("csvmap: %s: %w", name, err)
		}
		st.Rows++
		if pe != nil {
			if pe.StartLine == lastErrLine {
				return st, fmt.Errorf("csvmap: %s: %w", name, err)
			}
			lastErrLine = pe.StartLine
			st.Rejected++
			if err := report(reject, syntaxError(name, pe, len(header))); err != nil {
				return st, err
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		outs, errs := rc.convert(line, rec)
		if len(errs) > 0 {
			st.Rejected++
			for _, re := range errs {
				if err := report(reject, re); err != nil {
					return st, err
				}
			}
			continue
		}
		for _, o := range outs {
			if err := emit(o); err != nil {
				return st, fmt.Errorf("csvmap: %s:%d: %w", name, line, err)
			}
			st.Resources++
		}
	}
}

// report hands a row error to reject, if there is one.
func report(reject func(*RowError) error, re *RowError) error {
	if reject == nil {
		return nil
	}
	if err := reject(re); err != nil {
		return fmt.Errorf("csvmap: %s:%d: %w", re.File, re.Line, err)
	}
	return nil
}

// syntaxError turns a CSV syntax error into a row error.
func syntaxError(name string, pe *csv.ParseError, fields int) *RowError {
	msg := fmt.Sprintf("CSV syntax: %v (line %d, column %d)", pe.Err, pe.Line, pe.Column)
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		msg = fmt.Sprintf("the row does not have the %d fields of the header", fields)
	}
	return &RowError{File: name, Line: pe.StartLine, Err: errors.New(msg)}
}

// skipBOM drops a UTF-8 byte order mark at the start of r.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	return br
}

// newRow checks the header against the mapping and prepares the per-row
// state.
func (m *Mapping) newRow(name string, header []string) (*rowConv, error) {
	cols := make(map[string]int, len(header))
	dups := map[string]bool{}
	names := make([]string, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		names[i] = h
		if _, ok := cols[h]; ok {
			dups[h] = true
		}
		cols[h] = i
	}
	var missing, twice []string
	for c, optional := range m.columns {
		_, ok := cols[c]
		switch {
		case !ok && !optional:
			missing = append(missing, fmt.Sprintf("%q", c))
		case dups[c]:
			twice = append(twice, fmt.Sprintf("%q", c))
		}
	}
	sort.Strings(missing)
	sort.Strings(twice)
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: %s:1: the header lacks column(s) %s named by mapping %q", ErrHeader, name, strings.Join(missing, ", "), m.name)
	}
	if len(twice) > 0 {
		return nil, fmt.Errorf("%w: %s:1: column(s) %s appear more than once in the header", ErrHeader, name, strings.Join(twice, ", "))
	}
	return newRowConv(m, name, cols, names), nil
}
