package flatten

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// ViewDefinition is a parsed SQL-on-FHIR v2 ViewDefinition. Raw keeps the
// JSON it was parsed from.
type ViewDefinition struct {
	ResourceType string     `json:"resourceType,omitempty"`
	URL          string     `json:"url,omitempty"`
	Name         string     `json:"name,omitempty"`
	Title        string     `json:"title,omitempty"`
	Status       string     `json:"status,omitempty"`
	Description  string     `json:"description,omitempty"`
	Resource     string     `json:"resource"`
	FHIRVersion  []string   `json:"fhirVersion,omitempty"`
	Constant     []Constant `json:"constant,omitempty"`
	Select       []Select   `json:"select"`
	Where        []Where    `json:"where,omitempty"`

	Raw json.RawMessage `json:"-"`
}

// Constant is a named value referenced as %name in expressions. Type is
// the suffix of its value[x] element (String, Integer, Date, ...) and
// Value its raw JSON.
type Constant struct {
	Name  string
	Type  string
	Value json.RawMessage

	problem string // why the JSON is not a valid constant, reported by Compile
}

// UnmarshalJSON reads name and the single value[x] element. It accepts
// any JSON value and leaves the checks to Compile, which can say where in
// the view the problem is.
func (c *Constant) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		c.problem = "a constant must be a JSON object"
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		switch {
		case k == "name":
			if err := json.Unmarshal(v, &c.Name); err != nil {
				c.problem = "name must be a string"
			}
		case strings.HasPrefix(k, "value") && len(k) > len("value"):
			if c.Type != "" && c.problem == "" {
				c.problem = fmt.Sprintf("only one value[x] is allowed, found value%s and %s", c.Type, k)
			}
			c.Type, c.Value = k[len("value"):], v
		}
	}
	return nil
}

// MarshalJSON writes the constant back in its FHIR form.
func (c Constant) MarshalJSON() ([]byte, error) {
	name, err := json.Marshal(c.Name)
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, `{"name":%s,"value%s":%s}`, name, c.Type, c.Value), nil
}

// Select is one select element: columns, nested selects, an optional
// iteration (forEach, forEachOrNull or repeat) and unionAll branches.
type Select struct {
	Column        []Column `json:"column,omitempty"`
	Select        []Select `json:"select,omitempty"`
	ForEach       string   `json:"forEach,omitempty"`
	ForEachOrNull string   `json:"forEachOrNull,omitempty"`
	Repeat        []string `json:"repeat,omitempty"`
	UnionAll      []Select `json:"unionAll,omitempty"`
}

// Column is one output column.
type Column struct {
	Name        string `json:"name"`
	Path        string `json:"path"`
	Description string `json:"description,omitempty"`
	Collection  bool   `json:"collection,omitempty"`
	Type        string `json:"type,omitempty"`
	Tag         []Tag  `json:"tag,omitempty"`
}

// Tag is a name/value annotation of a column, such as ansi/type.
type Tag struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Where is a view-level filter: resources for which Path is not true are
// skipped.
type Where struct {
	Path        string `json:"path"`
	Description string `json:"description,omitempty"`
}

// ParseView parses a ViewDefinition from JSON. A document that is not
// JSON, or has a member of the wrong JSON type, gives a *ViewError whose
// Pointer is where the problem is found (and whose Reason gives the line
// and column of a syntax error). The rest is checked by Compile.
func ParseView(data []byte) (*ViewDefinition, error) {
	var vd ViewDefinition
	if err := json.Unmarshal(data, &vd); err != nil {
		return nil, jsonError(data, err)
	}
	if vd.ResourceType != "" && vd.ResourceType != "ViewDefinition" {
		return nil, &ViewError{View: vd.Name, Pointer: "/resourceType",
			Reason: fmt.Sprintf("resourceType is %q, not ViewDefinition", vd.ResourceType)}
	}
	vd.Raw = bytes.Clone(data)
	return &vd, nil
}
