package flatten

import (
	"bytes"
	"encoding/json"
	"fmt"
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
}

// UnmarshalJSON reads name and the single value[x] element.
func (c *Constant) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	for k, v := range m {
		switch {
		case k == "name":
			if err := json.Unmarshal(v, &c.Name); err != nil {
				return fmt.Errorf("constant name: %w", err)
			}
		case strings.HasPrefix(k, "value") && len(k) > len("value"):
			if c.Type != "" {
				return fmt.Errorf("constant %q has more than one value[x]", c.Name)
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

// ParseView parses a ViewDefinition from JSON.
func ParseView(data []byte) (*ViewDefinition, error) {
	var vd ViewDefinition
	if err := json.Unmarshal(data, &vd); err != nil {
		return nil, fmt.Errorf("flatten: parse view: %w", err)
	}
	if vd.ResourceType != "" && vd.ResourceType != "ViewDefinition" {
		return nil, fmt.Errorf("flatten: parse view: resourceType is %q, not ViewDefinition", vd.ResourceType)
	}
	vd.Raw = bytes.Clone(data)
	return &vd, nil
}
