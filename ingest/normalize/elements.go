package normalize

import (
	"bufio"
	_ "embed" // elements.txt
	"fmt"
	"strings"
	"sync"

	"github.com/fhirlake/fhirlake/fhir"
)

//go:generate go run ./internal/gen -in ../../fhir/r4/defs.txt.gz -out elements.txt

// elementsTxt is the element table generated from fhir/r4/defs.txt.gz (see
// internal/gen for its format).
//
//go:embed elements.txt
var elementsTxt string

// kind says how the walker treats a property's value.
type kind uint8

// The kinds of properties.
const (
	kindObject   kind = iota // a complex, backbone or abstract element type
	kindResource             // a resource, typed by its own resourceType
	kindDate                 // FHIR date
	kindDateTime             // FHIR dateTime
	kindInstant              // FHIR instant
	kindCode                 // FHIR code
)

// typeInfo is one resource type, datatype or backbone element.
type typeInfo struct {
	name  string
	props map[string]prop
}

// prop is what a JSON property of a type holds.
type prop struct {
	kind  kind
	typ   *typeInfo // for kindObject
	codes []string  // for kindCode: a small required value set, or nil
}

// schema is the parsed element table.
type schema struct {
	types   map[string]*typeInfo
	element *typeInfo // Element, the type of _x primitive extensions
	// contactSystems is the required value set of ContactPoint.system.
	contactSystems []string
}

var (
	schemaOnce sync.Once
	schemaVal  *schema
	schemaErr  error
)

// loadSchema parses the embedded table once.
func loadSchema() (*schema, error) {
	schemaOnce.Do(func() { schemaVal, schemaErr = parseSchema(elementsTxt) })
	return schemaVal, schemaErr
}

func parseSchema(txt string) (*schema, error) {
	s := &schema{types: map[string]*typeInfo{}}
	get := func(name string) *typeInfo {
		t := s.types[name]
		if t == nil {
			t = &typeInfo{name: name, props: map[string]prop{}}
			s.types[name] = t
		}
		return t
	}
	var cur *typeInfo
	sc := bufio.NewScanner(strings.NewReader(txt))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		f := strings.Split(line, "\t")
		switch {
		case line == "" || line[0] == '#':
		case f[0] == "T" && len(f) == 2:
			cur = get(f[1])
		case len(f) == 3 && cur != nil:
			cur.props[f[0]] = makeProp(f[1], f[2], get)
		default:
			return nil, fmt.Errorf("normalize: elements.txt line %d: malformed %q", n, line)
		}
	}
	s.element = s.types["Element"]
	cp := s.types["ContactPoint"]
	if s.element == nil || cp == nil || cp.props["system"].codes == nil {
		return nil, fmt.Errorf("normalize: elements.txt: no Element type or ContactPoint.system codes")
	}
	s.contactSystems = cp.props["system"].codes
	return s, nil
}

func makeProp(typ, codes string, get func(string) *typeInfo) prop {
	switch typ {
	case "Resource":
		return prop{kind: kindResource}
	case "date":
		return prop{kind: kindDate}
	case "dateTime":
		return prop{kind: kindDateTime}
	case "instant":
		return prop{kind: kindInstant}
	case "code":
		p := prop{kind: kindCode}
		if codes != "" {
			p.codes = strings.Split(codes, "|")
		}
		return p
	}
	return prop{kind: kindObject, typ: get(typ)}
}

// resource returns the type of a concrete resource named name, or nil.
func (s *schema) resource(name string) *typeInfo {
	if !fhir.IsResourceType(name) {
		return nil
	}
	return s.types[name]
}
