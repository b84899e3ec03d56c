package csvmap

import (
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// ErrMapping is wrapped by every error about the mapping document itself.
var ErrMapping = errors.New("csvmap: invalid mapping")

// Mapping is a compiled mapping, ready to convert any number of CSV files
// with the header it expects. It is immutable and safe for concurrent use.
type Mapping struct {
	name      string
	delim     rune
	validate  bool
	resources []*resource
	columns   map[string]bool // every column named; true when it may be absent
}

// resource is one compiled resource of the mapping.
type resource struct {
	alias    string
	typ      string
	id       *template // id template, or nil
	key      []string  // columns hashed into the id when id is nil
	when     string    // only produce the resource when this cell is set
	ident    *identity // ifNoneExist: the identifier found or created
	create   bool      // emit the resource (false: only referenced)
	fields   []*field
	shape    *shape
	refsFrom []int // indexes of fields that are references
}

// identity locates the business identifier of a create-if-absent resource.
type identity struct {
	path   string
	system int // field index of <path>.system, or -1
	value  int // field index of <path>.value
}

// Load reads a mapping in YAML or JSON (JSON is YAML) and compiles it.
// Unknown keys and every inconsistency are reported with their line; the
// error wraps ErrMapping.
func Load(r io.Reader) (*Mapping, error) {
	spec, lines, err := decodeSpec(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMapping, err)
	}
	m, err := compile(spec, lines)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMapping, err)
	}
	return m, nil
}

// LoadFile reads and compiles the mapping at path.
func LoadFile(path string) (*Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("csvmap: %w", err)
	}
	defer f.Close()
	m, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Name returns the mapping's name, which is part of every hashed id.
func (m *Mapping) Name() string { return m.name }

// Columns returns the CSV columns the mapping reads, in no order. The
// value is true for columns that may be missing from the header.
func (m *Mapping) Columns() map[string]bool {
	out := make(map[string]bool, len(m.columns))
	for k, v := range m.columns {
		out[k] = v
	}
	return out
}

// compile checks a decoded document and builds the Mapping.
func compile(spec *fileSpec, lines *specLines) (*Mapping, error) {
	if spec.Name == "" {
		return nil, fmt.Errorf("name is required")
	}
	m := &Mapping{name: spec.Name, delim: ',', validate: spec.Validate == nil || *spec.Validate, columns: map[string]bool{}}
	if err := m.setDelimiter(spec.Delimiter); err != nil {
		return nil, err
	}
	lookups := make(map[string]*lookup, len(spec.Lookups))
	for name, ls := range spec.Lookups {
		lk, err := newLookup(name, ls)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lines.lookups[name], err)
		}
		lookups[name] = lk
	}
	if len(spec.Resources) == 0 {
		return nil, fmt.Errorf("resources: at least one resource is required")
	}
	aliases := map[string]int{}
	for i, rs := range spec.Resources {
		if _, dup := aliases[rs.Alias]; dup && rs.Alias != "" {
			return nil, fmt.Errorf("line %d: alias %q is used twice", lines.resourceLine(i), rs.Alias)
		}
		aliases[rs.Alias] = i
	}
	for i := range spec.Resources {
		r, err := m.compileResource(&spec.Resources[i], i, lines, lookups)
		if err != nil {
			return nil, err
		}
		m.resources = append(m.resources, r)
	}
	return m, m.resolveRefs(spec, lines, aliases)
}

// setDelimiter accepts one character, or "tab".
func (m *Mapping) setDelimiter(d string) error {
	switch d {
	case "":
		return nil
	case "tab", `\t`:
		m.delim = '\t'
		return nil
	}
	r, size := utf8.DecodeRuneInString(d)
	if size != len(d) || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' || r == 0xFEFF {
		return fmt.Errorf("delimiter %q: expected one character other than a quote or line break", d)
	}
	m.delim = r
	return nil
}

// use records that the mapping reads column c.
func (m *Mapping) use(c string, optional bool) {
	if prev, ok := m.columns[c]; ok {
		optional = optional && prev
	}
	m.columns[c] = optional
}
