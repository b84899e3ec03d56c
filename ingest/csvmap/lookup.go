package csvmap

import (
	"bytes"
	"fmt"
	"strings"
)

// lookup maps local values to codes. Its entries are pre-rendered both as
// a code string and as a Coding object.
type lookup struct {
	name       string
	ignoreCase bool
	values     map[string]*entry
	def        *entry
}

// entry is one rendered lookup result.
type entry struct {
	code   []byte // JSON string
	coding []byte // JSON Coding object
	text   string // the code, for identities and templates
}

// newLookup compiles a lookup table.
func newLookup(name string, ls lookupSpec) (*lookup, error) {
	if len(ls.Values) == 0 {
		return nil, fmt.Errorf("lookup %q has no values", name)
	}
	lk := &lookup{name: name, ignoreCase: ls.IgnoreCase, values: make(map[string]*entry, len(ls.Values))}
	for k, c := range ls.Values {
		e, err := newEntry(ls.System, c)
		if err != nil {
			return nil, fmt.Errorf("lookup %q value %q: %w", name, k, err)
		}
		key := strings.TrimSpace(k)
		if lk.ignoreCase {
			key = strings.ToLower(key)
		}
		if _, dup := lk.values[key]; dup {
			return nil, fmt.Errorf("lookup %q: value %q is listed twice", name, k)
		}
		lk.values[key] = e
	}
	if ls.Default != nil {
		e, err := newEntry(ls.System, ls.Default)
		if err != nil {
			return nil, fmt.Errorf("lookup %q default: %w", name, err)
		}
		lk.def = e
	}
	return lk, nil
}

// newEntry renders one coding; system defaults to the table's system.
func newEntry(system string, c *codingSpec) (*entry, error) {
	if c == nil || strings.TrimSpace(c.Code) == "" {
		return nil, fmt.Errorf("code is required")
	}
	if c.System != "" {
		system = c.System
	}
	var b bytes.Buffer
	b.WriteByte('{')
	if system != "" {
		b.WriteString(`"system":`)
		b.Write(jsonString(system))
		b.WriteByte(',')
	}
	b.WriteString(`"code":`)
	b.Write(jsonString(c.Code))
	if c.Display != "" {
		b.WriteString(`,"display":`)
		b.Write(jsonString(c.Display))
	}
	b.WriteByte('}')
	return &entry{code: jsonString(c.Code), coding: b.Bytes(), text: c.Code}, nil
}

// find returns the entry for a cell.
func (lk *lookup) find(cell string) (*entry, error) {
	key := cell
	if lk.ignoreCase {
		key = strings.ToLower(key)
	}
	if e, ok := lk.values[key]; ok {
		return e, nil
	}
	if lk.def != nil {
		return lk.def, nil
	}
	return nil, fmt.Errorf("%q is not in lookup %q", cell, lk.name)
}
