package csvmap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// rowConv converts the rows of one file. Its buffers are reused from row
// to row; it is not safe for concurrent use.
type rowConv struct {
	m       *Mapping
	file    string
	cols    map[string]int // header name -> field index
	allKeys []string       // header names sorted, the default hash key
	line    int
	rec     []string
	res     []resState
	errs    []*RowError
}

// resState is the state of one resource while a row is converted.
type resState struct {
	skip  bool
	vals  []json.RawMessage // per field, nil when absent
	texts []string          // per field, the converted text
	id    string
	query string // IfNoneExist
	body  []byte
}

func newRowConv(m *Mapping, file string, cols map[string]int, names []string) *rowConv {
	rc := &rowConv{m: m, file: file, cols: cols, res: make([]resState, len(m.resources))}
	for i, r := range m.resources {
		rc.res[i].vals = make([]json.RawMessage, len(r.fields))
		rc.res[i].texts = make([]string, len(r.fields))
	}
	rc.allKeys = append([]string(nil), names...)
	sort.Strings(rc.allKeys)
	return rc
}

// cell returns the trimmed cell of column c ("" when the column is absent).
func (rc *rowConv) cell(c string) string {
	i, ok := rc.cols[c]
	if !ok || i >= len(rc.rec) {
		return ""
	}
	return strings.TrimSpace(rc.rec[i])
}

// fail records a row error.
func (rc *rowConv) fail(alias, column string, err error) {
	rc.errs = append(rc.errs, &RowError{File: rc.file, Line: rc.line, Column: column, Resource: alias, Err: err})
}

// convert turns one record into outputs, or into the errors that reject it.
func (rc *rowConv) convert(line int, rec []string) ([]Output, []*RowError) {
	rc.line, rc.rec, rc.errs = line, rec, nil
	for i, r := range rc.m.resources {
		rs := &rc.res[i]
		rs.skip = r.when != "" && rc.cell(r.when) == ""
		clear(rs.vals)
		clear(rs.texts)
		if !rs.skip {
			rc.fill(r, rs)
		}
	}
	if len(rc.errs) > 0 {
		return nil, rc.errs
	}
	for i, r := range rc.m.resources {
		if !rc.res[i].skip {
			rc.identify(r, &rc.res[i])
		}
	}
	if len(rc.errs) > 0 {
		return nil, rc.errs
	}
	outs := make([]Output, 0, len(rc.m.resources))
	for i, r := range rc.m.resources {
		rs := &rc.res[i]
		if rs.skip {
			continue
		}
		rc.link(r, rs)
		rc.write(r, rs)
		if r.create {
			outs = append(outs, Output{Line: line, Alias: r.alias, Type: r.typ, ID: rs.id, IfNoneExist: rs.query, Resource: rs.body})
		}
	}
	if len(rc.errs) > 0 {
		return nil, rc.errs
	}
	return outs, nil
}

// fill computes the value of every field but references.
func (rc *rowConv) fill(r *resource, rs *resState) {
	for j, f := range r.fields {
		switch {
		case f.refAlias != "":
		case f.when != "" && rc.cell(f.when) == "":
		case f.fixed != nil:
			rs.vals[j], rs.texts[j] = f.fixed, f.fixedStr
		case f.tpl != nil:
			rc.fillTemplate(r, rs, j, f)
		default:
			rc.fillCell(r, rs, j, f, f.column, rc.cell(f.column))
		}
	}
}

// fillCell converts one cell into field j.
func (rc *rowConv) fillCell(r *resource, rs *resState, j int, f *field, column, cell string) {
	if cell == "" {
		if f.required {
			rc.fail(r.alias, column, errors.New("a value is required"))
		}
		return
	}
	v, text, err := f.convert(cell)
	if err != nil {
		rc.fail(r.alias, column, err)
		return
	}
	rs.vals[j], rs.texts[j] = v, text
}

// fillTemplate renders a template field: absent when all its cells are
// empty; required means every cell must be set.
func (rc *rowConv) fillTemplate(r *resource, rs *resState, j int, f *field) {
	text, empty, filled := f.tpl.render(rc.cell)
	switch {
	case f.required && empty != "":
		rc.fail(r.alias, empty, errors.New("a value is required"))
	case filled:
		rc.fillCell(r, rs, j, f, f.sourceColumn(), strings.TrimSpace(text))
	}
}

// identify computes the id and the IfNoneExist query of a resource.
func (rc *rowConv) identify(r *resource, rs *resState) {
	if r.ident != nil {
		sys, val := "", rs.texts[r.ident.value]
		if r.ident.system >= 0 {
			sys = rs.texts[r.ident.system]
		}
		if val == "" {
			rc.fail(r.alias, r.fields[r.ident.value].sourceColumn(), fmt.Errorf("the identifier %s has no value", r.ident.path))
			return
		}
		rs.query = identifierQuery(sys, val)
	}
	switch {
	case r.id != nil:
		id, empty, _ := r.id.render(rc.cell)
		if empty != "" {
			rc.fail(r.alias, empty, errors.New("the id template needs a value"))
			return
		}
		if !fhir.ValidID(id) {
			rc.fail(r.alias, r.id.columns()[0], fmt.Errorf("id %q is not a valid FHIR id (1 to 64 of A-Z a-z 0-9 - .)", id))
			return
		}
		rs.id = id
	case r.ident != nil && len(r.key) == 0:
		rs.id = hashID("identifier", r.typ, rs.query)
	default:
		keys := r.key
		if len(keys) == 0 {
			keys = rc.allKeys
		}
		parts := []string{rc.m.name, r.alias}
		for _, k := range keys {
			parts = append(parts, k, rc.cell(k))
		}
		rs.id = hashID(parts...)
	}
}

// link fills the reference fields of a resource.
func (rc *rowConv) link(r *resource, rs *resState) {
	for _, j := range r.refsFrom {
		f := r.fields[j]
		if f.when != "" && rc.cell(f.when) == "" {
			continue
		}
		tr, ts := rc.m.resources[f.ref], &rc.res[f.ref]
		switch {
		case ts.skip:
			if f.required {
				rc.fail(r.alias, tr.when, fmt.Errorf("reference to %q, which this row does not produce", tr.alias))
			}
		case tr.ident != nil:
			rs.vals[j] = jsonString(tr.typ + "?" + ts.query)
		default:
			rs.vals[j] = jsonString(tr.typ + "/" + ts.id)
		}
	}
}

// write serializes a resource and validates it.
func (rc *rowConv) write(r *resource, rs *resState) {
	var b bytes.Buffer
	b.Grow(len(rs.body) + 64) // about the size of the previous row's
	b.WriteString(`{"resourceType":`)
	b.Write(jsonString(r.typ))
	b.WriteString(`,"id":`)
	b.Write(jsonString(rs.id))
	r.shape.writeMembers(&b, rs.vals, false)
	b.WriteByte('}')
	rs.body = b.Bytes()
	if rc.m.validate {
		rc.check(r, rs)
	}
}
