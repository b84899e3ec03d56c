package flatten

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// Builder accumulates the rows of many resources into Arrow arrays. It is
// not safe for concurrent use; use one Builder per goroutine.
type Builder struct {
	v     *View
	rb    *array.RecordBuilder
	dec   fhirpath.Decoder
	ev    evaluator
	field []int    // index of each column's Arrow field
	vals  []scalar // converted values of the resource being appended
	n     int
	err   error // a schema error that makes every Append fail
}

// scalar is one converted value, or a list header (n items follow).
type scalar struct {
	null bool
	n    int // for a list: number of items that follow
	i    int64
	d    decimal128.Num
	s    string // a string value, or the original text of a date or dateTime
	b    bool
	bin  []byte
}

// NewBuilder returns a Builder for the view's schema ([View.Schema]).
func (v *View) NewBuilder(mem memory.Allocator) *Builder {
	b := &Builder{v: v, rb: array.NewRecordBuilder(mem, v.schema)}
	b.ev = evaluator{v: v, env: fhirpath.Env{Constants: v.constants}}
	b.field = make([]int, len(v.columns))
	j := 0
	for i, c := range v.columns {
		b.field[i] = j
		j++
		if c.kind.hasRaw() {
			j++
		}
	}
	b.err = v.checkRawNames()
	return b
}

// Append evaluates the view over one JSON resource and appends its rows
// (zero or more). It is atomic: on error nothing is appended. The builder
// does not retain resourceJSON.
func (b *Builder) Append(resourceJSON []byte) error {
	if b.err != nil {
		return b.err
	}
	// A resource the view's where clauses certainly reject is skipped
	// undecoded, and only the fields the view reads are decoded (see
	// prefilter and projection).
	if b.ev.skip(&b.dec, resourceJSON) {
		return nil
	}
	res, err := b.ev.decode(&b.dec, resourceJSON)
	if err != nil {
		return fmt.Errorf("flatten: view %q: %w", b.v.name, err)
	}
	rows, err := b.v.rowsWith(&b.ev, res)
	if err != nil || len(rows) == 0 {
		return err
	}
	b.vals = b.vals[:0]
	for _, r := range rows {
		for j, c := range r {
			if err := b.convert(b.v.columns[j], c); err != nil {
				return fmt.Errorf("flatten: view %q column %q: %w", b.v.name, b.v.columns[j].name, err)
			}
		}
	}
	b.appendConverted(len(rows))
	return nil
}

// Len returns the number of rows appended since the last NewRecord.
func (b *Builder) Len() int { return b.n }

// NewRecord returns the rows appended so far as a record batch and resets
// the builder. The caller must Release the record.
func (b *Builder) NewRecord() arrow.RecordBatch {
	b.n = 0
	return b.rb.NewRecordBatch()
}

// Release frees the builder's memory.
func (b *Builder) Release() { b.rb.Release() }

// convert appends the converted values of one cell to b.vals.
func (b *Builder) convert(col *column, c fhirpath.Collection) error {
	if col.collection {
		b.vals = append(b.vals, scalar{n: len(c)})
		for _, v := range c {
			if err := b.convertOne(col.kind, v.N); err != nil {
				return err
			}
		}
		return nil
	}
	if len(c) == 0 {
		b.vals = append(b.vals, scalar{null: true})
		return nil
	}
	return b.convertOne(col.kind, c[0].N)
}

func (b *Builder) convertOne(k valueKind, n *fhirpath.Node) error {
	var s scalar
	var err error
	switch k {
	case kindString:
		s.s = stringForm(n)
	case kindBool:
		if n.Kind != fhirpath.KindBool {
			return fmt.Errorf("expected a boolean, got %s", n.String())
		}
		s.b = n.Bool
	case kindInt:
		s.i, err = strconv.ParseInt(primitiveText(n), 10, 64)
	case kindDecimal:
		s.d, err = parseDecimal(primitiveText(n))
	case kindDate:
		var d int32
		s.s = primitiveText(n)
		d, err = parseDate(s.s)
		s.i = int64(d)
	case kindDateTime, kindInstant:
		s.s = primitiveText(n)
		s.i, err = parseDateTime(s.s)
	case kindTime:
		s.i, err = parseTime(primitiveText(n))
	case kindBinary:
		s.bin, err = decodeBase64(primitiveText(n))
	}
	if err != nil {
		return fmt.Errorf("value %s: %w", n.String(), err)
	}
	b.vals = append(b.vals, s)
	return nil
}

// primitiveText is the text of a number or string node; other nodes give
// "" so that parsing fails with the value in the message.
func primitiveText(n *fhirpath.Node) string {
	if n.Kind == fhirpath.KindNumber || n.Kind == fhirpath.KindString {
		return n.Str
	}
	return ""
}

// stringForm is a utf8 column's text: a primitive's string form or a
// complex value's compact JSON.
func stringForm(n *fhirpath.Node) string {
	switch n.Kind {
	case fhirpath.KindString, fhirpath.KindNumber:
		return n.Str
	case fhirpath.KindBool:
		return strconv.FormatBool(n.Bool)
	}
	return string(n.AppendJSON(nil))
}

// appendConverted moves b.vals into the Arrow builders.
func (b *Builder) appendConverted(rows int) {
	cols := b.v.columns
	i := 0
	for r := 0; r < rows; r++ {
		for j, col := range cols {
			fb := b.rb.Field(b.field[j])
			var raw array.Builder
			if col.kind.hasRaw() {
				raw = b.rb.Field(b.field[j] + 1)
			}
			if !col.collection {
				appendScalar(fb, col.kind, b.vals[i])
				appendRaw(raw, b.vals[i])
				i++
				continue
			}
			n := b.vals[i].n
			appendList(fb, col.kind, b.vals[i+1:i+1+n])
			if raw != nil {
				appendList(raw, kindString, b.vals[i+1:i+1+n])
			}
			i += n + 1
		}
	}
	b.n += rows
}

// appendList appends one list of values of kind k.
func appendList(fb array.Builder, k valueKind, vals []scalar) {
	lb := fb.(*array.ListBuilder)
	lb.Append(true)
	vb := lb.ValueBuilder()
	for _, s := range vals {
		appendScalar(vb, k, s)
	}
}

// appendRaw appends the original text of a date or dateTime to its
// companion column; raw is nil for other columns.
func appendRaw(raw array.Builder, s scalar) {
	if raw != nil {
		appendScalar(raw, kindString, s)
	}
}

func appendScalar(fb array.Builder, k valueKind, s scalar) {
	if s.null {
		fb.AppendNull()
		return
	}
	switch k {
	case kindString:
		fb.(*array.StringBuilder).Append(s.s)
	case kindBool:
		fb.(*array.BooleanBuilder).Append(s.b)
	case kindInt:
		fb.(*array.Int64Builder).Append(s.i)
	case kindDecimal:
		fb.(*array.Decimal128Builder).Append(s.d)
	case kindDate:
		fb.(*array.Date32Builder).Append(arrow.Date32(s.i))
	case kindDateTime, kindInstant:
		fb.(*array.TimestampBuilder).Append(arrow.Timestamp(s.i))
	case kindTime:
		fb.(*array.Time64Builder).Append(arrow.Time64(s.i))
	case kindBinary:
		fb.(*array.BinaryBuilder).Append(s.bin)
	}
}
