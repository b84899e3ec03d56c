package wire

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"
)

// BatchRows is an optional interface of Rows for engines whose results
// are columnar: the server then encodes whole Arrow record batches into
// DataRows, with no Go value per cell, for the column types it knows
// (integers, floats, text, bytea, bool, date, time, timestamps and
// numeric text), and asks Value for the others. Next and Values are not
// called on a BatchRows.
type BatchRows interface {
	Rows
	// NextBatch advances to the next non-empty batch. It returns false at
	// the end or on an error; check Err afterwards.
	NextBatch() bool
	// Batch returns the current batch, valid until the next NextBatch.
	// Its columns match Columns.
	Batch() arrow.RecordBatch
	// Value returns the value at (row, col) of the current batch as
	// Values would.
	Value(row, col int) any
}

// cellEncoder appends the encoding of the non-null value at row of the
// array it was made for.
type cellEncoder func(dst []byte, row int) []byte

// batchCursor is a BatchRows result part-way through: the current batch
// and the next row of it to send.
type batchCursor struct {
	rows  BatchRows
	batch arrow.RecordBatch
	next  int
	enc   []cellEncoder // per column of batch; nil means Value + the generic encoders
	nulls []bool        // per column of batch: it has nulls
}

// rawMessage is pre-encoded backend messages, sent as they are.
type rawMessage []byte

func (rawMessage) Backend()                            {}
func (m rawMessage) Decode([]byte) error               { return fmt.Errorf("wire: rawMessage cannot be decoded") }
func (m rawMessage) Encode(dst []byte) ([]byte, error) { return append(dst, m...), nil }
func (m rawMessage) MarshalJSON() ([]byte, error)      { return []byte(`{"Type":"raw"}`), nil }

var _ pgproto3.BackendMessage = rawMessage(nil)

// batchFlushBytes is how many encoded bytes are sent to the socket at a
// time when streaming batches.
const batchFlushBytes = 256 << 10

// streamBatches is streamRows for a BatchRows.
func (c *conn) streamBatches(e *execution, cols []Column, formats []int16, limit int) (suspended bool, err error) {
	cur := e.cursor
	if cur == nil {
		cur = &batchCursor{rows: e.rows.(BatchRows)}
		e.cursor = cur
	}
	buf := c.rowBuf[:0]
	defer func() { c.rowBuf = buf[:0] }()
	sent := 0
	for limit <= 0 || sent < limit {
		if cur.batch == nil || cur.next >= int(cur.batch.NumRows()) {
			// The encoded rows in buf do not refer to the batch, so they
			// wait for batchFlushBytes across batches.
			if ok, err := c.loadBatch(e, cur, cols, formats); !ok {
				if len(buf) > 0 {
					c.be.Send(rawMessage(buf))
					buf = buf[:0]
				}
				return false, err
			}
		}
		n := int(cur.batch.NumRows()) - cur.next
		if limit > 0 {
			n = min(n, limit-sent)
		}
		for range n {
			if buf, err = c.appendDataRow(buf, cur, cols, formats); err != nil {
				return false, err
			}
			cur.next++
			sent++
			e.sent++
			if len(buf) >= batchFlushBytes {
				if err := c.writeDirect(buf); err != nil {
					return false, err
				}
				buf = buf[:0]
			}
		}
	}
	if len(buf) > 0 {
		c.be.Send(rawMessage(buf))
		buf = buf[:0]
	}
	return true, nil
}

// loadBatch moves cur to the next batch of its rows and binds the
// encoders. It returns false at the end of the rows or on an error.
func (c *conn) loadBatch(e *execution, cur *batchCursor, cols []Column, formats []int16) (bool, error) {
	if !cur.rows.NextBatch() {
		cur.batch = nil
		if err := cur.rows.Err(); err != nil {
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
	cur.batch, cur.next = cur.rows.Batch(), 0
	if int(cur.batch.NumCols()) != len(cols) {
		return false, fmt.Errorf("wire: engine batch has %d columns for %d", cur.batch.NumCols(), len(cols))
	}
	c.chooseEncoders(cur, cols, formats)
	return true, nil
}

// writeDirect writes encoded messages straight to the connection, after
// whatever the backend has buffered, saving a copy of large results.
func (c *conn) writeDirect(msgs []byte) error {
	if err := c.be.Flush(); err != nil {
		return newFatal(codeConnectionFailure, "wire: write: %v", err)
	}
	if _, err := c.nc.Write(msgs); err != nil {
		return newFatal(codeConnectionFailure, "wire: write: %v", err)
	}
	return nil
}

// appendDataRow appends one DataRow message for the cursor's current row.
func (c *conn) appendDataRow(buf []byte, cur *batchCursor, cols []Column, formats []int16) ([]byte, error) {
	start := len(buf)
	buf = append(buf, 'D', 0, 0, 0, 0)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(cols)))
	for i := range cols {
		lenAt := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var null bool
		var err error
		if buf, null, err = c.appendBatchCell(buf, cur, cols, formats, i); err != nil {
			return buf[:start], err
		}
		if null {
			buf = binary.BigEndian.AppendUint32(buf[:lenAt], math.MaxUint32) // -1
			continue
		}
		binary.BigEndian.PutUint32(buf[lenAt:], uint32(len(buf)-lenAt-4))
	}
	binary.BigEndian.PutUint32(buf[start+1:], uint32(len(buf)-start-1))
	return buf, nil
}

// appendBatchCell appends the encoding of column i of the cursor's
// current row with its direct encoder, or through Value and appendCell.
// A NULL appends nothing and reports null. DataRows and COPY share it.
func (c *conn) appendBatchCell(dst []byte, cur *batchCursor, cols []Column, formats []int16, i int) (out []byte, null bool, err error) {
	row := cur.next
	if cur.nulls[i] && cur.batch.Column(i).IsNull(row) {
		return dst, true, nil
	}
	if enc := cur.enc[i]; enc != nil {
		return enc(dst, row), false, nil
	}
	v := cur.rows.Value(row, i)
	if v == nil {
		return dst, true, nil
	}
	dst, err = c.appendCell(dst, cols[i], formatFor(formats, i), v)
	return dst, false, err
}

// chooseEncoders binds the direct encoder of each column to the batch's
// arrays.
func (c *conn) chooseEncoders(cur *batchCursor, cols []Column, formats []int16) {
	n := len(cols)
	if len(cur.enc) != n {
		cur.enc, cur.nulls = make([]cellEncoder, n), make([]bool, n)
	}
	for i := range n {
		arr := cur.batch.Column(i)
		cur.nulls[i] = arr.NullN() > 0
		cur.enc[i] = c.arrowEncoder(cols[i].TypeOID, formatFor(formats, i) == binaryFormatCode, arr)
	}
}

// Postgres epochs: 2000-01-01 in days and microseconds since 1970-01-01.
const (
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * 86400 * 1_000_000
)

// arrowEncoder returns the direct encoder of arr, a column of type oid,
// or nil when the pair of types is not one it knows.
func (c *conn) arrowEncoder(oid uint32, bin bool, arr arrow.Array) cellEncoder {
	text := c.text
	dt := arr.DataType()
	arrInt64, _ := arr.(*array.Int64)
	arrInt32, _ := arr.(*array.Int32)
	arrInt16, _ := arr.(*array.Int16)
	arrInt8, _ := arr.(*array.Int8)
	arrFloat64, _ := arr.(*array.Float64)
	arrFloat32, _ := arr.(*array.Float32)
	arrBoolean, _ := arr.(*array.Boolean)
	arrString, _ := arr.(*array.String)
	arrLargeString, _ := arr.(*array.LargeString)
	arrBinary, _ := arr.(*array.Binary)
	arrDate32, _ := arr.(*array.Date32)
	arrTimestamp, _ := arr.(*array.Timestamp)
	arrTime64, _ := arr.(*array.Time64)
	arrDecimal128, _ := arr.(*array.Decimal128)
	switch dt.ID() {
	case arrow.INT64:
		if oid == pgtype.Int8OID {
			if bin {
				return func(dst []byte, i int) []byte {
					return binary.BigEndian.AppendUint64(dst, uint64(arrInt64.Value(i)))
				}
			}
			return func(dst []byte, i int) []byte {
				return strconv.AppendInt(dst, arrInt64.Value(i), 10)
			}
		}
	case arrow.INT32:
		if oid == pgtype.Int4OID {
			if bin {
				return func(dst []byte, i int) []byte {
					return binary.BigEndian.AppendUint32(dst, uint32(arrInt32.Value(i)))
				}
			}
			return func(dst []byte, i int) []byte {
				return strconv.AppendInt(dst, int64(arrInt32.Value(i)), 10)
			}
		}
	case arrow.INT16:
		if oid == pgtype.Int2OID {
			if bin {
				return func(dst []byte, i int) []byte {
					return binary.BigEndian.AppendUint16(dst, uint16(arrInt16.Value(i)))
				}
			}
			return func(dst []byte, i int) []byte {
				return strconv.AppendInt(dst, int64(arrInt16.Value(i)), 10)
			}
		}
	case arrow.INT8:
		switch oid {
		case pgtype.BoolOID: // DuckDB's lossless BOOLEAN (arrow.bool8)
			return func(dst []byte, i int) []byte {
				return appendBool(dst, arrInt8.Value(i) != 0, bin)
			}
		case pgtype.Int2OID:
			if bin {
				return func(dst []byte, i int) []byte {
					return binary.BigEndian.AppendUint16(dst, uint16(int16(arrInt8.Value(i))))
				}
			}
			return func(dst []byte, i int) []byte {
				return strconv.AppendInt(dst, int64(arrInt8.Value(i)), 10)
			}
		}
	case arrow.FLOAT64:
		if oid == pgtype.Float8OID {
			if bin {
				return func(dst []byte, i int) []byte {
					return binary.BigEndian.AppendUint64(dst, math.Float64bits(arrFloat64.Value(i)))
				}
			}
			return func(dst []byte, i int) []byte {
				return text.appendFloat(dst, oid, arrFloat64.Value(i))
			}
		}
	case arrow.FLOAT32:
		if oid == pgtype.Float4OID {
			if bin {
				return func(dst []byte, i int) []byte {
					return binary.BigEndian.AppendUint32(dst, math.Float32bits(arrFloat32.Value(i)))
				}
			}
			return func(dst []byte, i int) []byte {
				return text.appendFloat(dst, oid, float64(arrFloat32.Value(i)))
			}
		}
	case arrow.BOOL:
		if oid == pgtype.BoolOID {
			return func(dst []byte, i int) []byte {
				return appendBool(dst, arrBoolean.Value(i), bin)
			}
		}
	case arrow.STRING:
		if isTextLike(oid) {
			jsonb := bin && oid == pgtype.JSONBOID
			return func(dst []byte, i int) []byte {
				if jsonb {
					dst = append(dst, 1)
				}
				return append(dst, arrString.Value(i)...)
			}
		}
	case arrow.LARGE_STRING:
		if isTextLike(oid) {
			jsonb := bin && oid == pgtype.JSONBOID
			return func(dst []byte, i int) []byte {
				if jsonb {
					dst = append(dst, 1)
				}
				return append(dst, arrLargeString.Value(i)...)
			}
		}
	case arrow.BINARY:
		if oid == pgtype.ByteaOID {
			if bin {
				return func(dst []byte, i int) []byte { return append(dst, arrBinary.Value(i)...) }
			}
			return func(dst []byte, i int) []byte { return appendByteaHex(dst, arrBinary.Value(i)) }
		}
	case arrow.DATE32:
		if oid == pgtype.DateOID {
			if bin {
				return func(dst []byte, i int) []byte {
					return binary.BigEndian.AppendUint32(dst, uint32(int32(arrDate32.Value(i))-pgEpochDays))
				}
			}
			return func(dst []byte, i int) []byte {
				days := int64(arrDate32.Value(i))
				return text.appendTime(dst, oid, time.Unix(days*86400, 0).UTC())
			}
		}
	case arrow.TIMESTAMP:
		if oid != pgtype.TimestampOID && oid != pgtype.TimestamptzOID {
			return nil
		}
		toMicros := timestampMicros(dt.(*arrow.TimestampType).Unit)
		if bin {
			return func(dst []byte, i int) []byte {
				return binary.BigEndian.AppendUint64(dst, uint64(toMicros(int64(arrTimestamp.Value(i)))-pgEpochMicros))
			}
		}
		return func(dst []byte, i int) []byte {
			return text.appendTime(dst, oid, time.UnixMicro(toMicros(int64(arrTimestamp.Value(i)))).UTC())
		}
	case arrow.TIME64:
		if oid == pgtype.TimeOID && dt.(*arrow.Time64Type).Unit == arrow.Microsecond {
			if bin {
				return func(dst []byte, i int) []byte {
					return binary.BigEndian.AppendUint64(dst, uint64(arrTime64.Value(i)))
				}
			}
			return func(dst []byte, i int) []byte {
				return text.appendTime(dst, oid, time.UnixMicro(int64(arrTime64.Value(i))).UTC())
			}
		}
	case arrow.DECIMAL128:
		if oid == pgtype.NumericOID && !bin {
			scale := dt.(*arrow.Decimal128Type).Scale
			return func(dst []byte, i int) []byte {
				return appendDecimal128(dst, arrDecimal128.Value(i).BigInt().String(), int(scale))
			}
		}
	}
	return nil
}

func appendBool(dst []byte, b, bin bool) []byte {
	switch {
	case bin && b:
		return append(dst, 1)
	case bin:
		return append(dst, 0)
	case b:
		return append(dst, 't')
	}
	return append(dst, 'f')
}

// timestampMicros converts a timestamp in unit to microseconds, truncating
// nanoseconds as Postgres rounds them away anyway.
func timestampMicros(unit arrow.TimeUnit) func(int64) int64 {
	switch unit {
	case arrow.Second:
		return func(v int64) int64 { return v * 1_000_000 }
	case arrow.Millisecond:
		return func(v int64) int64 { return v * 1000 }
	case arrow.Nanosecond:
		return func(v int64) int64 { return v / 1000 }
	}
	return func(v int64) int64 { return v }
}

// appendDecimal128 appends the decimal whose unscaled integer is digits
// (with an optional leading '-') at scale, with exactly scale digits after
// the point, as Postgres prints numeric of that scale.
func appendDecimal128(dst []byte, digits string, scale int) []byte {
	neg := len(digits) > 0 && digits[0] == '-'
	if neg {
		digits = digits[1:]
		dst = append(dst, '-')
	}
	if scale <= 0 {
		return append(dst, digits...)
	}
	for len(digits) <= scale {
		digits = "0" + digits
	}
	dst = append(dst, digits[:len(digits)-scale]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-scale:]...)
}
