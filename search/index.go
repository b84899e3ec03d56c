package search

import (
	"errors"
	"math"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The index table of a resource type holds one row per search parameter
// value of each resource (see Values), in one wide, sparse schema: the
// columns a value's type does not use are null. One table per type keeps
// extraction to one pass per resource and lets the planner reach every
// parameter of a type through one relation.
//
// Columns, all nullable except id and param:
//
//	id        the resource id
//	param     the parameter code
//	sys,code  token system and code; reference :identifier; quantity system and unit code
//	text      token display and text, normalized (for :text)
//	str       string value normalized (prefix, :contains)
//	raw       string as written (:exact), uri, reference URL
//	t_lo,t_hi date range, UTC, milliseconds
//	n,n_lo,n_hi          number or quantity value and its precision range
//	c_code,c_n,c_lo,c_hi quantity in canonical UCUM units
//	ref_type,ref_id,ref_ver reference target
//	n,c_n     also: latitude and longitude of a position (Location near)
//	c_n,c_lo,c_hi also: the second number of a composite of two numbers
//	sys2,code2 the second token of a composite of two tokens; an
//	          identifier's type coding (for :of-type)
//	pat       a patient the resource refers to as a Patient through a
//	          reference parameter (for a Patient, also itself); null when
//	          none. A resource about several patients has its rows once
//	          per patient, the copies after the first with dup set
//	dup       true on those extra copies, null otherwise
//
// A composite value is one row: each component in the columns of its
// type, a second token component in sys2/code2.
var indexFields = []arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "param", Type: arrow.BinaryTypes.String},
	{Name: "sys", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "str", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "raw", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "t_lo", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "t_hi", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "n", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "n_lo", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "n_hi", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "c_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "c_n", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "c_lo", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "c_hi", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "ref_type", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ref_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ref_ver", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "sys2", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "code2", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "pat", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "dup", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
}

// column indexes of indexFields.
const (
	colID = iota
	colParam
	colSys
	colCode
	colText
	colStr
	colRaw
	colTLo
	colTHi
	colN
	colNLo
	colNHi
	colCCode
	colCN
	colCLo
	colCHi
	colRefType
	colRefID
	colRefVer
	colSys2
	colCode2
	colPat
	colDup
	numCols
)

// IndexVersion identifies the index table layout (columns and what goes in
// them). It is recorded with each index table (as its catalog
// definition); a table of another version is rebuilt.
const IndexVersion = `{"searchIndex":4}`

// IndexSchema returns the schema of every index table.
func IndexSchema() *arrow.Schema { return arrow.NewSchema(indexFields, nil) }

// IndexBuilder appends the index rows of resources to Arrow record
// batches, like flatten.Builder does for a view.
type IndexBuilder struct {
	rb  *array.RecordBuilder
	n   int
	row []any // one pending row, reused
	pat any   // the pat column of the rows being appended
	dup any   // the dup column of the rows being appended
}

// NewIndexBuilder returns an empty builder.
func NewIndexBuilder(mem memory.Allocator) *IndexBuilder {
	return &IndexBuilder{rb: array.NewRecordBuilder(mem, IndexSchema()), row: make([]any, numCols)}
}

// Append extracts the search values of one resource and appends a row for
// each. A resource whose JSON or type is bad is an error and appends
// nothing. A parameter whose expression fails on odd data loses only its
// own values, silently: the resource stays findable by the others (an
// error here would mean "nothing appended" to the caller).
func (b *IndexBuilder) Append(body []byte) error {
	v, err := Extract(body)
	if v.ID == "" {
		if err == nil {
			err = errors.New("search: resource has no id")
		}
		return err
	}
	pats := patientsOf(&v)
	b.pat, b.dup = nil, nil
	if len(pats) == 0 {
		b.rows(&v)
		return nil
	}
	for i, p := range pats {
		b.pat = p
		if i > 0 {
			b.dup = true
		}
		b.rows(&v)
	}
	return nil
}

// rows appends the rows of the values v, with the builder's pat and dup.
func (b *IndexBuilder) rows(v *Values) {
	id := v.ID
	for _, t := range v.Tokens {
		b.put(id, t.Param, colSys, t.System, colCode, t.Code, colText, Normalize(joinText(t.Display, t.Text)),
			colSys2, t.TypeSystem, colCode2, t.TypeCode)
	}
	for _, s := range v.Strings {
		b.put(id, s.Param, colStr, s.Norm, colRaw, s.Value)
	}
	for _, d := range v.Dates {
		b.put(id, d.Param, colTLo, d.Low, colTHi, d.High)
	}
	for _, n := range v.Numbers {
		b.put(id, n.Param, colN, n.Value, colNLo, n.Low, colNHi, n.High, colRaw, n.Text)
	}
	for _, q := range v.Quantities {
		row := []any{colN, q.Value, colNLo, q.Low, colNHi, q.High, colSys, q.System, colCode, q.Code, colText, q.Unit}
		if q.CanonicalCode != "" {
			row = append(row, colCCode, q.CanonicalCode, colCN, q.CanonicalValue, colCLo, q.CanonicalLow, colCHi, q.CanonicalHigh)
		}
		b.put(id, q.Param, row...)
	}
	for _, r := range v.References {
		b.put(id, r.Param, colRefType, r.TargetType, colRefID, r.TargetID, colRefVer, r.Version, colRaw, r.URL,
			colSys, r.IdentifierSystem, colCode, r.IdentifierValue)
	}
	for _, u := range v.URIs {
		b.put(id, u.Param, colRaw, u.Value)
	}
	for _, p := range v.Positions {
		b.put(id, p.Param, colN, p.Latitude, colCN, p.Longitude)
	}
	for _, c := range v.Composites {
		if row, ok := compositeRow(c); ok {
			b.put(id, c.Param, row...)
		}
	}
}

// compositeRow lays out the components of a composite value; ok is false
// for a combination one row cannot hold (two components of one non-token
// type).
func compositeRow(c CompositeValue) ([]any, bool) {
	var row []any
	used := map[Type]int{}
	for _, p := range c.Parts {
		used[p.Type]++
		switch p.Type {
		case Token:
			sys, code := colSys, colCode
			if used[Token] == 2 {
				sys, code = colSys2, colCode2
			} else if used[Token] > 2 {
				return nil, false
			}
			row = append(row, sys, p.Token.System, code, p.Token.Code)
			continue
		}
		if p.Type == Number && used[Number] == 2 {
			// A second number (a sequence window's start and end) takes
			// the canonical quantity columns, which numbers do not use.
			n := p.Number
			row = append(row, colCN, n.Value, colCLo, n.Low, colCHi, n.High)
			continue
		}
		if used[p.Type] > 1 {
			return nil, false
		}
		switch p.Type {
		case String:
			row = append(row, colStr, p.String.Norm)
		case Date:
			row = append(row, colTLo, p.Date.Low, colTHi, p.Date.High)
		case Number:
			row = append(row, colN, p.Number.Value, colNLo, p.Number.Low, colNHi, p.Number.High)
		case Quantity:
			q := p.Quantity
			row = append(row, colN, q.Value, colNLo, q.Low, colNHi, q.High)
			if q.CanonicalCode != "" {
				row = append(row, colCCode, q.CanonicalCode, colCN, q.CanonicalValue, colCLo, q.CanonicalLow, colCHi, q.CanonicalHigh)
			}
			if used[Token] == 0 { // the unit goes where a token would
				row = append(row, colText, q.Unit)
			}
		case Reference:
			row = append(row, colRefType, p.Reference.TargetType, colRefID, p.Reference.TargetID)
		case URI:
			row = append(row, colRaw, p.URI.Value)
		default:
			return nil, false
		}
	}
	return row, true
}

// patientsOf returns the pat values of a resource's rows (see
// indexFields): every patient its reference parameters name as a
// Patient, and a Patient itself, first. A search pinned to a patient
// (see pinnedPatient) keeps only the rows whose pat is that patient, an
// exact narrowing: whatever reference criterion pins the search, its
// matches name the patient so, and so have a copy of their rows with it.
func patientsOf(v *Values) []string {
	var pats []string
	if v.ResourceType == "Patient" {
		pats = append(pats, v.ID)
	}
	for _, r := range v.References {
		if r.TargetType == "Patient" && r.TargetID != "" && !slices.Contains(pats, r.TargetID) {
			pats = append(pats, r.TargetID)
		}
	}
	return pats
}

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || a == b:
		return a
	}
	return a + " " + b
}

// put appends one row: id, param and (column, value) pairs; empty
// strings, NaN and infinite numbers are null.
func (b *IndexBuilder) put(id, param string, pairs ...any) {
	for i := range b.row {
		b.row[i] = nil
	}
	b.row[colID], b.row[colParam], b.row[colPat], b.row[colDup] = id, param, b.pat, b.dup
	for i := 0; i+1 < len(pairs); i += 2 {
		b.row[pairs[i].(int)] = pairs[i+1]
	}
	for i, f := range b.rb.Fields() {
		switch x := b.row[i].(type) {
		case string:
			if x == "" {
				f.AppendNull()
			} else {
				f.(*array.StringBuilder).Append(x)
			}
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				f.AppendNull()
			} else {
				f.(*array.Float64Builder).Append(x)
			}
		case time.Time:
			f.(*array.TimestampBuilder).Append(arrow.Timestamp(x.UnixMilli()))
		case bool:
			f.(*array.BooleanBuilder).Append(x)
		default:
			f.AppendNull()
		}
	}
	b.n++
}

// Len returns the rows appended since the last NewRecord.
func (b *IndexBuilder) Len() int { return b.n }

// NewRecord returns the rows appended so far and resets the builder.
func (b *IndexBuilder) NewRecord() arrow.RecordBatch {
	b.n = 0
	return b.rb.NewRecordBatch()
}

// Release frees the builder's memory.
func (b *IndexBuilder) Release() { b.rb.Release() }
