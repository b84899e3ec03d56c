package wire

import (
	"context"
	"fmt"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/jackc/pgx/v5/pgproto3"
)

// flushEvery is how many DataRows are buffered before a write.
const flushEvery = 256

// execution is a running statement: its rows and the context that
// cancels it.
type execution struct {
	rows    Rows
	ctx     context.Context
	release func()
	cursor  *batchCursor // for a BatchRows, once streaming started
	// formats are the result formats of the simple protocol: nil (all
	// text) except for a FETCH from a BINARY cursor.
	formats []int16
	// stream, when set, replaces the row streaming of streamRows (COPY
	// sends CopyData, FETCH reads from its cursor).
	stream func(cols []Column, formats []int16, limit int) (suspended bool, err error)
	sent   int64 // rows sent by streamRows so far
}

// close releases the rows and the statement context.
func (e *execution) close() {
	_ = e.rows.Close()
	e.release()
}

// startStatement runs one statement (parameters already substituted):
// session and transaction statements locally, the rest on the engine.
func (c *conn) startStatement(ctx context.Context, sql string) (*execution, error) {
	l, ok, err := parseLocal(sql)
	if err != nil {
		return nil, err
	}
	if ok {
		return c.startLocal(ctx, l)
	}
	return c.startEngine(ctx, sql)
}

// startEngine runs one statement on the engine session.
func (c *conn) startEngine(ctx context.Context, sql string) (*execution, error) {
	return c.startEngineIn(ctx, sql, c.queryContext)
}

// startEngineIn is startEngine with the statement's context made by
// newCtx (a cursor's outlives statement_timeout).
func (c *conn) startEngineIn(ctx context.Context, sql string, newCtx func(context.Context) (context.Context, func())) (*execution, error) {
	if c.tx == txFailed {
		return nil, errFailedTx
	}
	c.detachCursors()
	qctx, release := newCtx(ctx)
	var rows Rows
	var err error
	if tq, ok := c.sess.(TemplateQuerier); ok && c.template.sql == sql && sql != "" {
		rows, err = tq.QueryTemplate(qctx, c.template.template, sql)
	} else {
		rows, err = c.sess.Query(qctx, sql)
	}
	if err == nil && rows == nil {
		err = fmt.Errorf("wire: engine returned no rows and no error for %q", sql)
	}
	if err != nil {
		err = queryError(qctx, err)
		release()
		return nil, err
	}
	return &execution{rows: rows, ctx: qctx, release: release}, nil
}

// boundTemplate is the prepared statement behind the portal being
// started: its text with $n and the text with the values bound.
type boundTemplate struct{ template, sql string }

// streamRows sends up to limit rows (all when limit is 0) as DataRows
// encoded for cols in formats. It reports whether rows may remain.
func (c *conn) streamRows(e *execution, cols []Column, formats []int16, limit int) (suspended bool, err error) {
	if e.stream != nil {
		return e.stream(cols, formats, limit)
	}
	if _, ok := e.rows.(BatchRows); ok && len(cols) > 0 {
		return c.streamBatches(e, cols, formats, limit)
	}
	for n := 0; limit <= 0 || n < limit; n++ {
		if !e.rows.Next() {
			if err := e.rows.Err(); err != nil {
				return false, queryError(e.ctx, err)
			}
			if err := e.ctx.Err(); err != nil {
				return false, queryError(e.ctx, err)
			}
			return false, nil
		}
		if err := e.ctx.Err(); err != nil {
			return false, queryError(e.ctx, err)
		}
		if err := c.sendDataRow(cols, formats, e.rows.Values()); err != nil {
			return false, err
		}
		e.sent++
		if (n+1)%flushEvery == 0 {
			if err := c.be.Flush(); err != nil {
				return false, newFatal(codeConnectionFailure, "wire: write: %v", err)
			}
		}
	}
	return true, nil
}

// sendDataRow encodes one row into the connection's row buffer and sends
// it.
func (c *conn) sendDataRow(cols []Column, formats []int16, vals []any) error {
	if len(vals) != len(cols) {
		return fmt.Errorf("wire: engine row has %d values for %d columns", len(vals), len(cols))
	}
	buf, spans := c.rowBuf[:0], c.spans[:0]
	for i, v := range vals {
		if v == nil {
			spans = append(spans, [2]int{-1, -1})
			continue
		}
		start := len(buf)
		var err error
		if buf, err = c.appendCell(buf, cols[i], formatFor(formats, i), v); err != nil {
			return err
		}
		spans = append(spans, [2]int{start, len(buf)})
	}
	values := make([][]byte, len(spans))
	for i, s := range spans {
		if s[0] >= 0 {
			values[i] = buf[s[0]:s[1]:s[1]]
		}
	}
	c.be.Send(&pgproto3.DataRow{Values: values})
	c.rowBuf, c.spans = buf, spans
	return nil
}

// appendCell appends the encoding of v, a non-nil value of col, in format
// (text or binary). DataRows and COPY share it.
func (c *conn) appendCell(dst []byte, col Column, format int16, v any) ([]byte, error) {
	var err error
	if format == binaryFormatCode {
		dst, err = c.bin.appendBinary(dst, col.TypeOID, v)
	} else {
		dst, err = c.text.appendText(dst, col.TypeOID, v)
	}
	if err != nil {
		return dst, fmt.Errorf("wire: column %q: %w", col.Name, err)
	}
	return dst, nil
}

// Format codes of Bind result columns.
const (
	textFormatCode   = 0
	binaryFormatCode = 1
)

// formatFor returns the format of column i: none given means text, one
// applies to all columns.
func formatFor(formats []int16, i int) int16 {
	switch len(formats) {
	case 0:
		return textFormatCode
	case 1:
		return formats[0]
	}
	return formats[i]
}

// checkFormats validates Bind result formats against the columns.
func checkFormats(formats []int16, ncols int) error {
	if len(formats) > 1 && len(formats) != ncols {
		return newError(sqlstate.ProtocolViolation, "bind message has %d result formats but query has %d columns", len(formats), ncols)
	}
	for _, f := range formats {
		if f != textFormatCode && f != binaryFormatCode {
			return newError(sqlstate.ProtocolViolation, "unsupported format code: %d", f)
		}
	}
	return nil
}

// rowDescription describes cols with the given result formats.
func rowDescription(cols []Column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		fields[i] = pgproto3.FieldDescription{
			Name:         []byte(col.Name),
			DataTypeOID:  col.TypeOID,
			DataTypeSize: col.TypeSize,
			TypeModifier: col.TypeModifier,
			Format:       formatFor(formats, i),
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}
