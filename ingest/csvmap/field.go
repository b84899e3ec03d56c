package csvmap

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// field is one compiled field: a source and a conversion to one path.
type field struct {
	path     elemPath
	column   string    // source column, or ""
	tpl      *template // source template, or nil
	fixed    []byte    // fixed JSON value, or nil
	fixedStr string    // the fixed value when it is a string
	refAlias string    // reference source: the target alias
	ref      int       // reference target, resolved after all resources
	typ      string
	date     *dateFormat
	lookup   *lookup
	required bool
	when     string
}

// compileField checks and builds one field.
func (m *Mapping) compileField(fs *fieldSpec, lookups map[string]*lookup) (*field, error) {
	p, err := parsePath(fs.Path)
	if err != nil {
		return nil, err
	}
	if p[0].name == "resourceType" || p[0].name == "id" {
		return nil, fmt.Errorf("path %q: resourceType and id are set by the resource, not by fields", fs.Path)
	}
	f := &field{path: p, column: fs.Column, refAlias: fs.Ref, typ: fs.Type, required: fs.Required, when: fs.When}
	sources := 0
	for _, set := range []bool{fs.Column != "", fs.Template != "", fs.Fixed.Kind != 0, fs.Ref != ""} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return nil, fmt.Errorf("path %q: exactly one of column, template, fixed and ref is required", fs.Path)
	}
	if fs.Optional && fs.Column == "" {
		return nil, fmt.Errorf("path %q: optional applies to column fields only", fs.Path)
	}
	if fs.When != "" {
		m.use(fs.When, false)
	}
	switch {
	case fs.Column != "":
		m.use(fs.Column, fs.Optional)
	case fs.Template != "":
		if f.tpl, err = parseTemplate(fs.Template); err != nil {
			return nil, err
		}
		for _, c := range f.tpl.columns() {
			m.use(c, false)
		}
	case fs.Fixed.Kind != 0:
		return f, f.compileFixed(fs)
	case fs.Ref != "":
		if fs.Type != "" || fs.Format != "" || fs.Lookup != "" || fs.Timezone != "" {
			return nil, fmt.Errorf("path %q: a ref takes no type, format, timezone or lookup", fs.Path)
		}
		f.path = p.child("reference")
		return f, nil
	}
	return f, f.compileType(fs, lookups)
}

// compileFixed renders a fixed value once.
func (f *field) compileFixed(fs *fieldSpec) error {
	if fs.Type != "" || fs.Format != "" || fs.Lookup != "" || fs.Timezone != "" || fs.Required {
		return fmt.Errorf("path %q: a fixed value takes no type, format, timezone, lookup or required", fs.Path)
	}
	v, err := fixedJSON(&fs.Fixed)
	if err != nil {
		return fmt.Errorf("path %q: fixed: %w", fs.Path, err)
	}
	f.fixed = v
	if fs.Fixed.Kind == yaml.ScalarNode && fs.Fixed.ShortTag() == "!!str" {
		f.fixedStr = fs.Fixed.Value
	}
	return nil
}

// compileType checks the conversion of a column or template field.
func (f *field) compileType(fs *fieldSpec, lookups map[string]*lookup) error {
	if f.typ == "" {
		f.typ = typeString
		if fs.Lookup != "" {
			f.typ = typeCode
		}
	}
	if fs.Lookup != "" {
		f.lookup = lookups[fs.Lookup]
		if f.lookup == nil {
			return fmt.Errorf("path %q: lookup %q is not defined", fs.Path, fs.Lookup)
		}
		if f.typ != typeCode && f.typ != typeCoding {
			return fmt.Errorf("path %q: a lookup writes type code or coding, not %q", fs.Path, f.typ)
		}
	}
	dated := f.typ == typeDate || f.typ == typeDateTime || f.typ == typeInstant
	if !dated && (fs.Format != "" || fs.Timezone != "") {
		return fmt.Errorf("path %q: format and timezone apply to date, dateTime and instant only", fs.Path)
	}
	switch f.typ {
	case typeString, typeCode, typeInteger, typeDecimal, typeBoolean:
	case typeCoding:
		if f.lookup == nil {
			return fmt.Errorf("path %q: type coding needs a lookup", fs.Path)
		}
	case typeDate, typeDateTime, typeInstant:
		df, err := newDateFormat(f.typ, fs.Format, fs.Timezone)
		if err != nil {
			return fmt.Errorf("path %q: %w", fs.Path, err)
		}
		f.date = df
	default:
		return fmt.Errorf("path %q: unknown type %q (want %s)", fs.Path, f.typ,
			strings.Join([]string{typeString, typeCode, typeInteger, typeDecimal, typeBoolean, typeDate, typeDateTime, typeInstant, typeCoding}, ", "))
	}
	return nil
}

// sourceColumn names the column a field reads (the first one of a
// template), or "" for fixed values and references.
func (f *field) sourceColumn() string {
	if f.tpl != nil {
		return f.tpl.columns()[0]
	}
	return f.column
}

// convert turns one non-empty cell (already trimmed) into JSON, and into
// the text used by identities.
func (f *field) convert(cell string) ([]byte, string, error) {
	if err := checkText(cell); err != nil {
		return nil, "", err
	}
	if f.lookup != nil {
		e, err := f.lookup.find(cell)
		if err != nil {
			return nil, "", err
		}
		if f.typ == typeCoding {
			return e.coding, e.text, nil
		}
		return e.code, e.text, nil
	}
	var v []byte
	var err error
	text := cell
	switch f.typ {
	case typeInteger:
		v, err = convertInteger(cell)
	case typeDecimal:
		v, err = convertDecimal(cell)
	case typeBoolean:
		v, err = convertBoolean(cell)
	case typeDate, typeDateTime, typeInstant:
		v, err = f.date.convert(f.typ, cell)
	default:
		return jsonString(cell), cell, nil
	}
	if err == nil {
		text = strings.Trim(string(v), `"`) // the normalized number, boolean or date
	}
	return v, text, err
}
