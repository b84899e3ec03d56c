//go:build duckdb_arrow

package engine

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fhirlake/fhirlake/wire"
)

// arrowSettings are the global settings the Arrow path needs: lossless
// conversion keeps UUID, JSON, HUGEINT and TIMETZ recognisable (as Arrow
// extension types) instead of flattening them to text or integers.
var arrowSettings = []string{"SET GLOBAL arrow_lossless_conversion = true"}

// queryArrow runs a query through DuckDB's Arrow interface and returns its
// result as wire.BatchRows, so the wire server encodes whole record
// batches. ok is false, and nothing is returned, when a result column has
// an Arrow type this package cannot describe in Postgres terms; the
// caller then runs the query through database/sql.
func (s *session) queryArrow(ctx context.Context, sql, tag string) (rows wire.Rows, ok bool, err error) {
	var rr array.RecordReader
	err = s.conn.Raw(func(dc any) error {
		dconn, isConn := dc.(driver.Conn)
		if !isConn {
			return fmt.Errorf("engine: not a DuckDB connection: %T", dc)
		}
		a, err := duckdb.NewArrowFromConn(dconn)
		if err != nil {
			return err
		}
		rr, err = a.QueryContext(ctx, sql)
		return err
	})
	if err != nil {
		return nil, true, mapError(ctx, err)
	}
	fields := rr.Schema().Fields()
	ar := &arrowRows{ctx: ctx, rr: rr, tag: tag, fields: fields, cols: make([]wire.Column, len(fields)), types: make([]colType, len(fields))}
	for i, f := range fields {
		name, known := arrowTypeName(f)
		if !known {
			rr.Release()
			return nil, false, nil
		}
		t := resolveType(name)
		ar.types[i] = t
		ar.cols[i] = wire.Column{Name: columnName(f.Name), TypeOID: t.OID, TypeSize: t.Size, TypeModifier: t.Mod}
	}
	return ar, true, nil
}

// arrowRows is a DuckDB result read as Arrow record batches. It is a
// wire.BatchRows; Next and Values serve callers that want rows.
type arrowRows struct {
	tables []string // what the statement read, for its audit record
	ctx    context.Context
	rr     array.RecordReader
	cols   []wire.Column
	types  []colType
	fields []arrow.Field
	tag    string
	n      int64
	err    error

	end func() // ends the query's activity record, see activity

	batch arrow.RecordBatch
	row   int   // for Next: the current row of batch
	vals  []any // for Values
}

var _ wire.BatchRows = (*arrowRows)(nil)

func (r *arrowRows) Columns() []wire.Column { return r.cols }

func (r *arrowRows) NextBatch() bool {
	for r.err == nil && r.rr.Next() {
		b := r.rr.RecordBatch()
		if b.NumRows() == 0 {
			continue
		}
		r.batch, r.row = b, -1
		r.n += b.NumRows()
		return true
	}
	if r.err == nil {
		r.err = r.rr.Err()
		if r.err != nil {
			r.err = mapError(r.ctx, r.err)
		}
	}
	r.batch = nil
	return false
}

func (r *arrowRows) Batch() arrow.RecordBatch { return r.batch }

func (r *arrowRows) Value(row, col int) any {
	return normalize(arrowValue(r.fields[col], r.batch.Column(col), row), &r.types[col])
}

func (r *arrowRows) Next() bool {
	if r.batch == nil || r.row+1 >= int(r.batch.NumRows()) {
		if !r.NextBatch() {
			return false
		}
	}
	r.row++
	if r.vals == nil {
		r.vals = make([]any, len(r.cols))
	}
	for i := range r.vals {
		if r.batch.Column(i).IsNull(r.row) {
			r.vals[i] = nil
		} else {
			r.vals[i] = r.Value(r.row, i)
		}
	}
	return true
}

func (r *arrowRows) Values() []any { return r.vals }
func (r *arrowRows) Err() error    { return r.err }

func (r *arrowRows) Tag() string {
	if r.tag != "" {
		return r.tag
	}
	return fmt.Sprintf("SELECT %d", r.n)
}

func (r *arrowRows) setEnd(end func()) { r.end = end }

func (r *arrowRows) Close() error {
	if r.end != nil {
		r.end()
	}
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	return nil
}

// arrowTypeName returns the DuckDB type name of a result field as DuckDB
// exports it with lossless conversion, for resolveType.
func arrowTypeName(f arrow.Field) (string, bool) {
	if ext, ok := f.Metadata.GetValue("ARROW:extension:name"); ok {
		switch ext {
		case "arrow.json":
			return "JSON", true
		case "arrow.uuid":
			return "UUID", true
		case "arrow.bool8":
			return "BOOLEAN", true
		case "arrow.opaque":
			meta, _ := f.Metadata.GetValue("ARROW:extension:metadata")
			var m struct {
				TypeName string `json:"type_name"`
			}
			_ = json.Unmarshal([]byte(meta), &m)
			switch m.TypeName {
			case "hugeint":
				return "HUGEINT", true
			case "uhugeint":
				return "UHUGEINT", true
			case "time_tz":
				return "TIME WITH TIME ZONE", true
			}
			return "", false
		}
		return "", false
	}
	return arrowTypeNameOf(f.Type)
}

func arrowTypeNameOf(dt arrow.DataType) (string, bool) {
	switch t := dt.(type) {
	case *arrow.Int8Type:
		return "TINYINT", true
	case *arrow.Int16Type:
		return "SMALLINT", true
	case *arrow.Int32Type:
		return "INTEGER", true
	case *arrow.Int64Type:
		return "BIGINT", true
	case *arrow.Uint8Type:
		return "UTINYINT", true
	case *arrow.Uint16Type:
		return "USMALLINT", true
	case *arrow.Uint32Type:
		return "UINTEGER", true
	case *arrow.Uint64Type:
		return "UBIGINT", true
	case *arrow.Float32Type:
		return "FLOAT", true
	case *arrow.Float64Type:
		return "DOUBLE", true
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale), true
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return "VARCHAR", true
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType:
		return "BLOB", true
	case *arrow.BooleanType:
		return "BOOLEAN", true
	case *arrow.Date32Type:
		return "DATE", true
	case *arrow.Time64Type:
		return "TIME", true
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			return "TIMESTAMP WITH TIME ZONE", true
		}
		switch t.Unit {
		case arrow.Second:
			return "TIMESTAMP_S", true
		case arrow.Millisecond:
			return "TIMESTAMP_MS", true
		case arrow.Nanosecond:
			return "TIMESTAMP_NS", true
		}
		return "TIMESTAMP", true
	case *arrow.MonthDayNanoIntervalType:
		return "INTERVAL", true
	case *arrow.DictionaryType:
		return "VARCHAR", true // an ENUM
	case *arrow.ListType:
		return listTypeName(t.Elem(), t.ElemField())
	case *arrow.LargeListType:
		return listTypeName(t.Elem(), t.ElemField())
	case *arrow.FixedSizeListType:
		return listTypeName(t.Elem(), t.ElemField())
	case *arrow.StructType:
		return "STRUCT()", true
	case *arrow.MapType:
		return "MAP()", true
	}
	return "", false
}

func listTypeName(elem arrow.DataType, f arrow.Field) (string, bool) {
	f.Type = elem
	name, ok := arrowTypeName(f)
	return name + "[]", ok
}

// arrowValue returns the value at i of a (a column or child array
// described by field f, whose metadata names DuckDB's lossless extension
// types) as duckdb-go's database/sql driver would, so that normalize
// treats both paths alike.
func arrowValue(f arrow.Field, a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	ext, _ := f.Metadata.GetValue("ARROW:extension:name")
	switch x := a.(type) {
	case *array.Boolean:
		return x.Value(i)
	case *array.Int8:
		if ext == "arrow.bool8" {
			return x.Value(i) != 0
		}
		return x.Value(i)
	case *array.Int16:
		return x.Value(i)
	case *array.Int32:
		return x.Value(i)
	case *array.Int64:
		return x.Value(i)
	case *array.Uint8:
		return x.Value(i)
	case *array.Uint16:
		return x.Value(i)
	case *array.Uint32:
		return x.Value(i)
	case *array.Uint64:
		return x.Value(i)
	case *array.Float32:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	// Strings and bytes are copied: the batch's memory goes with the
	// next batch, and a caller of Values may keep a value longer.
	case *array.String:
		return strings.Clone(x.Value(i))
	case *array.LargeString:
		return strings.Clone(x.Value(i))
	case *array.Binary:
		return bytes.Clone(x.Value(i))
	case *array.LargeBinary:
		return bytes.Clone(x.Value(i))
	case *array.Date32:
		return time.Unix(int64(x.Value(i))*86400, 0).UTC()
	case *array.Time64:
		return time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(x.Value(i)) * time.Microsecond)
	case *array.Timestamp:
		unit := x.DataType().(*arrow.TimestampType).Unit
		return x.Value(i).ToTime(unit).UTC()
	case *array.Decimal128:
		t := x.DataType().(*arrow.Decimal128Type)
		return duckdb.Decimal{Width: uint8(t.Precision), Scale: uint8(t.Scale), Value: x.Value(i).BigInt()}
	case *array.MonthDayNanoInterval:
		v := x.Value(i)
		return duckdb.Interval{Months: v.Months, Days: v.Days, Micros: v.Nanoseconds / 1000}
	case *array.FixedSizeBinary:
		return fixedValue(f, x.Value(i))
	case *array.Dictionary:
		return arrowValue(arrow.Field{Type: x.Dictionary().DataType()}, x.Dictionary(), x.GetValueIndex(i))
	case *array.List:
		start, end := x.ValueOffsets(i)
		return listValues(x.DataType().(*arrow.ListType).ElemField(), x.ListValues(), start, end)
	case *array.LargeList:
		start, end := x.ValueOffsets(i)
		return listValues(x.DataType().(*arrow.LargeListType).ElemField(), x.ListValues(), start, end)
	case *array.FixedSizeList:
		start, end := x.ValueOffsets(i)
		return listValues(x.DataType().(*arrow.FixedSizeListType).ElemField(), x.ListValues(), start, end)
	case *array.Map:
		mt := x.DataType().(*arrow.MapType)
		keys, items := x.Keys(), x.Items()
		start, end := x.ValueOffsets(i)
		out := make(map[string]any, end-start)
		for j := start; j < end; j++ {
			out[fmt.Sprint(arrowValue(mt.KeyField(), keys, int(j)))] = arrowValue(mt.ItemField(), items, int(j))
		}
		return out
	case *array.Struct:
		st := x.DataType().(*arrow.StructType)
		out := make(map[string]any, x.NumField())
		for j := range x.NumField() {
			out[st.Field(j).Name] = arrowValue(st.Field(j), x.Field(j), i)
		}
		return out
	}
	return a.ValueStr(i)
}

func listValues(elem arrow.Field, values arrow.Array, start, end int64) []any {
	out := make([]any, 0, end-start)
	for j := start; j < end; j++ {
		out = append(out, arrowValue(elem, values, int(j)))
	}
	return out
}

// fixedValue decodes DuckDB's lossless fixed-size encodings, named by the
// field's extension metadata: a UUID (16 bytes, returned as bytes), a
// HUGEINT or UHUGEINT (16 bytes, little-endian) or a TIMETZ (8 bytes:
// microseconds << 24 | (maximum offset - offset in seconds)).
func fixedValue(f arrow.Field, b []byte) any {
	meta, _ := f.Metadata.GetValue("ARROW:extension:metadata")
	var m struct {
		TypeName string `json:"type_name"`
	}
	_ = json.Unmarshal([]byte(meta), &m)
	switch m.TypeName {
	case "hugeint":
		return littleEndianInt(b, true)
	case "uhugeint":
		return littleEndianInt(b, false)
	case "time_tz":
		bits := binary.LittleEndian.Uint64(b)
		const offsetBits, maxOffset = 24, 16*60*60 - 1
		micros := int64(bits >> offsetBits)
		offset := maxOffset - int(bits&(1<<offsetBits-1))
		return time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("", offset)).Add(time.Duration(micros) * time.Microsecond)
	}
	return append([]byte(nil), b...)
}

// littleEndianInt decodes a little-endian integer, two's complement when
// signed.
func littleEndianInt(b []byte, signed bool) *big.Int {
	be := make([]byte, len(b))
	for i := range b {
		be[i] = b[len(b)-1-i]
	}
	n := new(big.Int).SetBytes(be)
	if signed && len(be) > 0 && be[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

func (r *arrowRows) setTables(t []string) { r.tables = t }

// Tables lists the tables and views the statement read (wire's
// TableReporter).
func (r *arrowRows) Tables() []string { return r.tables }
