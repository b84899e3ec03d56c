package wire

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5/pgproto3"
)

// copyFlushBytes is the size at which a CopyData message is sent; several
// rows share a message, which every client accepts.
const copyFlushBytes = 64 << 10

// pgcopySignature starts a binary COPY: the signature, flags and header
// extension length.
const pgcopySignature = "PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

// startCopy runs the query of a COPY TO STDOUT on the engine. The
// execution streams CopyOutResponse, CopyData and CopyDone instead of
// DataRows; it has no result columns (Describe answers NoData) and its
// tag is COPY n.
func (c *conn) startCopy(ctx context.Context, cs *copyStmt) (*execution, error) {
	e, err := c.startEngine(ctx, cs.query)
	if err != nil {
		return nil, err
	}
	cols := slices.Clone(e.rows.Columns())
	formats := []int16{textFormatCode}
	if cs.format == copyBinary {
		formats[0] = binaryFormatCode
		if err := c.checkBinary(cols, formats); err != nil {
			e.close()
			return nil, err
		}
	}
	force, err := cs.forceColumns(cols)
	if err != nil {
		e.close()
		return nil, err
	}
	w := &copyWriter{c: c, cs: cs, cols: cols, formats: formats, force: force}
	inner := e.rows
	e.rows = &copyRows{inner: inner, e: e}
	e.stream = func([]Column, []int16, int) (bool, error) { return false, w.run(e, inner) }
	return e, nil
}

// forceColumns marks the columns FORCE_QUOTE names.
func (cs *copyStmt) forceColumns(cols []Column) ([]bool, error) {
	force := make([]bool, len(cols))
	for i := range force {
		force[i] = cs.forceAll
	}
	for _, name := range cs.forceQuote {
		i := slices.IndexFunc(cols, func(col Column) bool { return col.Name == name })
		if i < 0 {
			return nil, newError("42P10", "FORCE_QUOTE column %q not referenced by COPY", name)
		}
		force[i] = true
	}
	return force, nil
}

// copyRows is the Rows of a COPY execution: no columns, tag COPY n.
type copyRows struct {
	inner Rows
	e     *execution
}

func (r *copyRows) Columns() []Column { return nil }
func (r *copyRows) Next() bool        { return false }
func (r *copyRows) Values() []any     { return nil }
func (r *copyRows) Err() error        { return r.inner.Err() }
func (r *copyRows) Tag() string       { return "COPY " + strconv.FormatInt(r.e.sent, 10) }
func (r *copyRows) Close() error      { return r.inner.Close() }

// copyWriter encodes rows in a COPY format into CopyData messages.
type copyWriter struct {
	c       *conn
	cs      *copyStmt
	cols    []Column
	formats []int16
	force   []bool // FORCE_QUOTE per column
	buf     []byte // pending CopyData message, 'd' and length first
	cell    []byte // scratch for one value before escaping
}

// run sends CopyOutResponse, the data and CopyDone. After CopyOutResponse
// an error still ends the statement with an ErrorResponse, as in Postgres.
func (w *copyWriter) run(e *execution, rows Rows) error {
	overall := byte(0)
	if w.cs.format == copyBinary {
		overall = 1
	}
	colFormats := make([]uint16, len(w.cols))
	for i := range colFormats {
		colFormats[i] = uint16(overall)
	}
	w.c.be.Send(&pgproto3.CopyOutResponse{OverallFormat: overall, ColumnFormatCodes: colFormats})
	w.buf = append(w.c.rowBuf[:0], 'd', 0, 0, 0, 0)
	defer func() { w.c.rowBuf = w.buf[:0] }()
	w.start()
	var err error
	if br, ok := rows.(BatchRows); ok && len(w.cols) > 0 {
		err = w.batches(e, br)
	} else {
		err = w.values(e, rows)
	}
	if err != nil {
		return err
	}
	if w.cs.format == copyBinary {
		w.buf = binary.BigEndian.AppendUint16(w.buf, math.MaxUint16) // trailer -1
	}
	if err := w.flush(0); err != nil {
		return err
	}
	w.c.be.Send(&pgproto3.CopyDone{})
	return nil
}

// start writes the binary signature or the header line.
func (w *copyWriter) start() {
	switch {
	case w.cs.format == copyBinary:
		w.buf = append(w.buf, pgcopySignature...)
	case w.cs.header:
		for i, col := range w.cols {
			w.buf = w.appendField(w.buf, i, []byte(col.Name), false)
		}
		w.buf = append(w.buf, '\n')
	}
}

// values copies the rows of a row-at-a-time Rows.
func (w *copyWriter) values(e *execution, rows Rows) error {
	for rows.Next() {
		if err := e.ctx.Err(); err != nil {
			return queryError(e.ctx, err)
		}
		vals := rows.Values()
		if len(vals) != len(w.cols) {
			return fmt.Errorf("wire: engine row has %d values for %d columns", len(vals), len(w.cols))
		}
		w.beginRow()
		for i, v := range vals {
			var err error
			start := len(w.buf)
			if v != nil {
				if w.cs.format == copyBinary {
					w.buf = append(w.buf, 0, 0, 0, 0)
					w.buf, err = w.c.appendCell(w.buf, w.cols[i], binaryFormatCode, v)
				} else {
					w.cell, err = w.c.appendCell(w.cell[:0], w.cols[i], textFormatCode, v)
				}
				if err != nil {
					return err
				}
			}
			w.endCell(i, start, v == nil)
		}
		if err := w.endRow(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return queryError(e.ctx, err)
	}
	return queryError(e.ctx, e.ctx.Err())
}

// batches copies the rows of a BatchRows with the direct encoders.
func (w *copyWriter) batches(e *execution, rows BatchRows) error {
	cur := &batchCursor{rows: rows}
	for {
		ok, err := w.c.loadBatch(e, cur, w.cols, w.formats)
		if !ok {
			return err
		}
		for cur.next = 0; cur.next < int(cur.batch.NumRows()); cur.next++ {
			w.beginRow()
			for i := range w.cols {
				start := len(w.buf)
				var null bool
				if w.cs.format == copyBinary {
					w.buf = append(w.buf, 0, 0, 0, 0)
					w.buf, null, err = w.c.appendBatchCell(w.buf, cur, w.cols, w.formats, i)
				} else {
					w.cell, null, err = w.c.appendBatchCell(w.cell[:0], cur, w.cols, w.formats, i)
				}
				if err != nil {
					return err
				}
				w.endCell(i, start, null)
			}
			if err := w.endRow(e); err != nil {
				return err
			}
		}
	}
}

// beginRow starts a tuple: the field count in binary.
func (w *copyWriter) beginRow() {
	if w.cs.format == copyBinary {
		w.buf = binary.BigEndian.AppendUint16(w.buf, uint16(len(w.cols)))
	}
}

// endCell finishes field i. In binary the value was appended after a
// length placeholder at start; otherwise it is in w.cell, to be escaped.
func (w *copyWriter) endCell(i, start int, null bool) {
	if w.cs.format == copyBinary {
		if null {
			w.buf = binary.BigEndian.AppendUint32(w.buf[:start], math.MaxUint32) // -1
			return
		}
		binary.BigEndian.PutUint32(w.buf[start:], uint32(len(w.buf)-start-4))
		return
	}
	if null {
		if i > 0 {
			w.buf = append(w.buf, w.cs.delim[0])
		}
		w.buf = append(w.buf, w.cs.null...)
		return
	}
	w.buf = w.appendField(w.buf, i, w.cell, w.force[i])
}

// endRow ends a text or CSV line, counts the row and sends a CopyData
// when enough is pending.
func (w *copyWriter) endRow(e *execution) error {
	if w.cs.format != copyBinary {
		w.buf = append(w.buf, '\n')
	}
	e.sent++
	if len(w.buf) < copyFlushBytes {
		return nil
	}
	return w.flush(copyFlushBytes)
}

// flush sends the pending CopyData; with a threshold (large results) it
// writes straight to the connection.
func (w *copyWriter) flush(threshold int) error {
	if len(w.buf) == 5 {
		return nil
	}
	binary.BigEndian.PutUint32(w.buf[1:], uint32(len(w.buf)-1))
	if threshold > 0 {
		if err := w.c.writeDirect(w.buf); err != nil {
			return err
		}
	} else {
		w.c.be.Send(rawMessage(w.buf))
	}
	w.buf = append(w.buf[:0], 'd', 0, 0, 0, 0)
	return nil
}

// appendField appends the delimiter (after the first field) and the text
// value v escaped for text format or quoted as needed for CSV.
func (w *copyWriter) appendField(dst []byte, i int, v []byte, force bool) []byte {
	if i > 0 {
		dst = append(dst, w.cs.delim[0])
	}
	if w.cs.format == copyCSV {
		return appendCSV(dst, v, w.cs, force)
	}
	return appendCopyText(dst, v, w.cs.delim[0])
}

// appendCopyText escapes v for the text format: backslash, newline,
// carriage return, tab, the other control characters Postgres escapes,
// and the delimiter.
func appendCopyText(dst, v []byte, delim byte) []byte {
	for _, b := range v {
		switch b {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\v':
			dst = append(dst, '\\', 'v')
		default:
			if b == delim {
				dst = append(dst, '\\')
			}
			dst = append(dst, b)
		}
	}
	return dst
}

// appendCSV appends v as a CSV field: quoted when forced, when it holds
// the delimiter, quote, CR or LF, when it equals the
// NULL string (so an empty string differs from NULL), or is \. alone;
// inside quotes the quote and escape characters are escaped.
func appendCSV(dst, v []byte, cs *copyStmt, force bool) []byte {
	q, esc, delim := cs.quote[0], cs.escape[0], cs.delim[0]
	need := force || string(v) == cs.null || string(v) == "\\."
	for _, b := range v {
		if need {
			break
		}
		need = b == delim || b == q || b == '\n' || b == '\r'
	}
	if !need {
		return append(dst, v...)
	}
	dst = append(dst, q)
	for _, b := range v {
		if b == q || b == esc {
			dst = append(dst, esc)
		}
		dst = append(dst, b)
	}
	return append(dst, q)
}
