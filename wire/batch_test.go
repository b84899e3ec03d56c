package wire

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
)

// batchRows is a BatchRows over Arrow record batches; Value returns the
// Go values of vals (the same rows, flattened across batches).
type batchRows struct {
	cols    []Column
	batches []arrow.RecordBatch
	vals    [][]any
	cur     int
	base    int // row number of the current batch's first row
	tag     string
}

func (r *batchRows) Columns() []Column { return r.cols }
func (r *batchRows) Next() bool        { panic("Next called on a BatchRows") }
func (r *batchRows) Values() []any     { panic("Values called on a BatchRows") }
func (r *batchRows) Err() error        { return nil }
func (r *batchRows) Tag() string       { return r.tag }
func (r *batchRows) Close() error      { return nil }
func (r *batchRows) NextBatch() bool {
	if r.cur > 0 {
		r.base += int(r.batches[r.cur-1].NumRows())
	}
	if r.cur >= len(r.batches) {
		return false
	}
	r.cur++
	return true
}
func (r *batchRows) Batch() arrow.RecordBatch { return r.batches[r.cur-1] }
func (r *batchRows) Value(row, col int) any   { return r.vals[r.base+row][col] }

// typedBatches returns the same rows as Arrow batches (split in two) and
// as Go values, one column per type the direct encoders handle, plus a
// list column that goes through Value.
func typedBatches(t *testing.T) ([]Column, []arrow.RecordBatch, [][]any) {
	t.Helper()
	mem := memory.DefaultAllocator
	ts := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	cols := []Column{
		col("i8", 20, 8), col("i4", 23, 4), col("i2", 21, 2), col("f8", 701, 8), col("f4", 700, 4),
		col("b", 16, 1), col("t", 25, -1), col("j", 3802, -1), col("by", 17, -1), col("d", 1082, 4),
		col("ts", 1114, 8), col("tz", 1184, 8), col("tm", 1083, 8), col("n", 1700, -1), col("bool8", 16, 1),
		col("list", 1007, -1),
	}
	fields := []arrow.Field{
		{Name: "i8", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "i4", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i2", Type: arrow.PrimitiveTypes.Int16, Nullable: true}, {Name: "f8", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "f4", Type: arrow.PrimitiveTypes.Float32, Nullable: true}, {Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "t", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "j", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "by", Type: arrow.BinaryTypes.Binary, Nullable: true}, {Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "tz", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "tm", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
		{Name: "n", Type: &arrow.Decimal128Type{Precision: 38, Scale: 9}, Nullable: true},
		{Name: "bool8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "list", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	}
	schema := arrow.NewSchema(fields, nil)
	type row struct {
		i8         int64
		f8         float64
		t          string
		day        int32
		micros     int64
		dec        string
		decUnscale int64
		null       bool
	}
	rows := []row{
		{i8: 1, f8: 1.5, t: "héllo", day: 19782, micros: ts.UnixMicro(), dec: "1.500000000", decUnscale: 1_500_000_000},
		{null: true},
		{i8: math.MinInt64, f8: math.Inf(-1), t: "", day: -800000, micros: -62135596800000000, dec: "-0.000000001", decUnscale: -1},
		{i8: math.MaxInt64, f8: 0.1, t: `quote"and\back`, day: 0, micros: 0, dec: "0.000000000", decUnscale: 0},
		{i8: -7, f8: math.NaN(), t: "x", day: 10957, micros: 946684800000000, dec: "123456789.123456789", decUnscale: 123456789123456789},
	}
	var batches []arrow.RecordBatch
	var vals [][]any
	for _, part := range [][]row{rows[:2], rows[2:]} {
		b := array.NewRecordBuilder(mem, schema)
		for _, r := range part {
			if r.null {
				for i := range fields {
					b.Field(i).AppendNull()
				}
				vals = append(vals, make([]any, len(fields)))
				continue
			}
			b.Field(0).(*array.Int64Builder).Append(r.i8)
			b.Field(1).(*array.Int32Builder).Append(int32(r.i8 % 1e9))
			b.Field(2).(*array.Int16Builder).Append(int16(r.i8 % 30000))
			b.Field(3).(*array.Float64Builder).Append(r.f8)
			b.Field(4).(*array.Float32Builder).Append(float32(r.f8))
			b.Field(5).(*array.BooleanBuilder).Append(r.i8 > 0)
			b.Field(6).(*array.StringBuilder).Append(r.t)
			b.Field(7).(*array.StringBuilder).Append(`{"a":` + fmt.Sprint(r.i8%100) + `}`)
			b.Field(8).(*array.BinaryBuilder).Append([]byte(r.t))
			b.Field(9).(*array.Date32Builder).Append(arrow.Date32(r.day))
			b.Field(10).(*array.TimestampBuilder).Append(arrow.Timestamp(r.micros))
			b.Field(11).(*array.TimestampBuilder).Append(arrow.Timestamp(r.micros))
			b.Field(12).(*array.Time64Builder).Append(arrow.Time64(r.micros % 86_400_000_000))
			b.Field(13).(*array.Decimal128Builder).Append(decimal128.FromI64(r.decUnscale))
			b.Field(14).(*array.Int8Builder).Append(int8(r.i8 & 1))
			lb := b.Field(15).(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.Int32Builder).AppendValues([]int32{1, int32(r.i8 % 7)}, nil)
			tm := time.UnixMicro(r.micros).UTC()
			vals = append(vals, []any{r.i8, int64(int32(r.i8 % 1e9)), int64(int16(r.i8 % 30000)), r.f8, float64(float32(r.f8)),
				r.i8 > 0, r.t, `{"a":` + fmt.Sprint(r.i8%100) + `}`, []byte(r.t), time.Unix(int64(r.day)*86400, 0).UTC(),
				tm, tm, time.UnixMicro(r.micros % 86_400_000_000).UTC(), stringer(r.dec), r.i8&1 != 0,
				stringer(fmt.Sprintf("{1,%d}", int32(r.i8%7)))})
		}
		batches = append(batches, b.NewRecordBatch())
		b.Release()
	}
	return cols, batches, vals
}

// typedServer serves the rows of typedBatches: a statement that mentions
// "batch" gets them as BatchRows, any other as the same Go values.
func typedServer(t *testing.T) (addr string, cols []Column) {
	t.Helper()
	cols, batches, vals := typedBatches(t)
	e := newTestEngine()
	e.open = func(context.Context, string, string) (Session, error) {
		return &fakeSession{
			query: func(_ context.Context, sql string) (Rows, error) {
				if strings.Contains(sql, "batch") {
					return &batchRows{cols: cols, batches: batches, vals: vals, tag: "SELECT 5"}, nil
				}
				return &fakeRows{cols: cols, data: vals, tag: "SELECT 5"}, nil
			},
			close: func() error { return nil },
		}, nil
	}
	_, addr = startServer(t, e)
	return addr, cols
}

// TestBatchRowsEncodeLikeRows checks that Arrow batches encode to exactly
// the bytes the same values give through Rows.Values, in text and binary,
// whole and through a portal in pieces.
func TestBatchRowsEncodeLikeRows(t *testing.T) {
	addr, cols := typedServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	conn, err := pgconn.Connect(ctx, fmt.Sprintf("postgres://alice@%s/db?sslmode=disable", addr))
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, format := range []int16{0, 1} {
		formats := make([]int16, len(cols))
		for i := range formats {
			formats[i] = format
		}
		run := func(sql string) [][][]byte {
			res := conn.ExecParams(ctx, sql, nil, nil, nil, formats).Read()
			require.NoError(t, res.Err, sql)
			require.Equal(t, "SELECT 5", res.CommandTag.String())
			return res.Rows
		}
		want := run("SELECT rows")
		require.Len(t, want, 5)
		require.Equal(t, want, run("SELECT batch"), "format %d", format)
	}
	// Simple protocol (text) too, through pgx.
	pc, err := pgx.Connect(ctx, fmt.Sprintf("postgres://alice@%s/db?sslmode=disable", addr))
	require.NoError(t, err)
	defer pc.Close(ctx)
	read := func(sql string) []string {
		rows, err := pc.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
		require.NoError(t, err)
		var out []string
		for rows.Next() {
			out = append(out, fmt.Sprint(rows.RawValues()))
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.Equal(t, read("SELECT rows"), read("SELECT batch"))
}

// TestBatchRowsPortal fetches a batch result three rows at a time through
// a named portal: PortalSuspended between, the rows in order.
func TestBatchRowsPortal(t *testing.T) {
	addr, _ := typedServer(t)
	c, _ := connect(t, addr, nil)
	batch := c.send(1, &pgproto3.Parse{Query: "SELECT batch"}, &pgproto3.Bind{DestinationPortal: "p"},
		&pgproto3.Execute{Portal: "p", MaxRows: 3}, &pgproto3.Execute{Portal: "p", MaxRows: 3}, &pgproto3.Execute{Portal: "p", MaxRows: 3},
		&pgproto3.Sync{})
	plain := c.send(1, &pgproto3.Parse{Query: "SELECT rows"}, &pgproto3.Bind{DestinationPortal: "p"},
		&pgproto3.Execute{Portal: "p", MaxRows: 3}, &pgproto3.Execute{Portal: "p", MaxRows: 3}, &pgproto3.Execute{Portal: "p", MaxRows: 3},
		&pgproto3.Sync{})
	require.Equal(t, plain, batch)
	require.Equal(t, []string{"ParseComplete", "BindComplete"}, batch[:2])
	require.Equal(t, "PortalSuspended", batch[5], "%v", batch)
	require.Equal(t, []string{"CommandComplete SELECT 5", "CommandComplete SELECT 5", "ReadyForQuery I"}, batch[8:], "%v", batch)
}

// TestArrowEncoders checks which columns get a direct encoder: all but the
// list, which goes through Value.
func TestArrowEncoders(t *testing.T) {
	cols, batches, _ := typedBatches(t)
	c := &conn{}
	for _, bin := range []bool{false, true} {
		var direct []string
		for i, f := range batches[0].Schema().Fields() {
			if c.arrowEncoder(cols[i].TypeOID, bin, batches[0].Column(i)) != nil {
				direct = append(direct, f.Name)
			}
		}
		want := []string{"i8", "i4", "i2", "f8", "f4", "b", "t", "j", "by", "d", "ts", "tz", "tm", "n", "bool8"}
		if bin {
			want = []string{"i8", "i4", "i2", "f8", "f4", "b", "t", "j", "by", "d", "ts", "tz", "tm", "bool8"} // numeric binary goes through Value
		}
		require.Equal(t, want, direct, "binary %v", bin)
	}
}
