package csvmap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxMappingSize bounds the size of a mapping document (16 MiB).
const maxMappingSize = 16 << 20

// fileSpec is the mapping document as written by the user.
type fileSpec struct {
	Name      string                `yaml:"name"`
	Delimiter string                `yaml:"delimiter"`
	Validate  *bool                 `yaml:"validate"`
	Lookups   map[string]lookupSpec `yaml:"lookups"`
	Resources []resourceSpec        `yaml:"resources"`
}

// lookupSpec is a code-system lookup table.
type lookupSpec struct {
	System     string                 `yaml:"system"`
	IgnoreCase bool                   `yaml:"ignoreCase"`
	Default    *codingSpec            `yaml:"default"`
	Values     map[string]*codingSpec `yaml:"values"`
}

// codingSpec is one entry of a lookup table.
type codingSpec struct {
	System  string `yaml:"system"`
	Code    string `yaml:"code"`
	Display string `yaml:"display"`
}

// resourceSpec describes one resource produced by every row.
type resourceSpec struct {
	Alias       string      `yaml:"alias"`
	Type        string      `yaml:"type"`
	ID          string      `yaml:"id"`
	Key         []string    `yaml:"key"`
	When        string      `yaml:"when"`
	IfNoneExist string      `yaml:"ifNoneExist"`
	Create      *bool       `yaml:"create"`
	Fields      []fieldSpec `yaml:"fields"`
}

// fieldSpec maps one source (column, template, fixed value or reference)
// to one element path.
type fieldSpec struct {
	Path     string    `yaml:"path"`
	Column   string    `yaml:"column"`
	Template string    `yaml:"template"`
	Fixed    yaml.Node `yaml:"fixed"`
	Ref      string    `yaml:"ref"`
	Type     string    `yaml:"type"`
	Format   string    `yaml:"format"`
	Timezone string    `yaml:"timezone"`
	Lookup   string    `yaml:"lookup"`
	Required bool      `yaml:"required"`
	Optional bool      `yaml:"optional"`
	When     string    `yaml:"when"`
}

// specLines records the source line of each part of the document, so that
// semantic errors found after decoding can still name a line.
type specLines struct {
	resources []int   // line of resources[i]
	fields    [][]int // line of resources[i].fields[j]
	lookups   map[string]int
}

// decodeSpec reads a YAML or JSON mapping strictly: unknown keys, a second
// document and trailing garbage are errors, each with its line.
func decodeSpec(r io.Reader) (*fileSpec, *specLines, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMappingSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading: %w", err)
	}
	if len(data) > maxMappingSize {
		return nil, nil, fmt.Errorf("larger than %d bytes", maxMappingSize)
	}
	var spec fileSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("the document is empty")
		}
		return nil, nil, fmt.Errorf("%s", yamlMessage(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, nil, fmt.Errorf("%s", yamlMessage(err))
		}
		return nil, nil, fmt.Errorf("line %d: only one document is allowed", extra.Line)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, fmt.Errorf("%s", yamlMessage(err))
	}
	return &spec, indexLines(&root), nil
}

// typeSuffix removes Go type names from yaml messages, which mean nothing
// to the author of a mapping.
var typeSuffix = regexp.MustCompile(` (in type|into) [\[\]*]*[a-zA-Z0-9_]+\.[a-zA-Z0-9_]+`)

// unknownField matches yaml's message for an unknown key.
var unknownField = regexp.MustCompile(`field (\S+) not found`)

// yamlMessage renders a yaml error without Go type names.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msg := ""
		for i, e := range te.Errors {
			if i > 0 {
				msg += "; "
			}
			msg += unknownField.ReplaceAllString(typeSuffix.ReplaceAllString(e, ""), `unknown key "$1"`)
		}
		return msg
	}
	return strings.TrimPrefix(typeSuffix.ReplaceAllString(err.Error(), ""), "yaml: ")
}

// indexLines walks the document node and records the line of every
// resource, field and lookup.
func indexLines(doc *yaml.Node) *specLines {
	sl := &specLines{lookups: map[string]int{}}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if lk := mapValue(root, "lookups"); lk != nil && lk.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(lk.Content); i += 2 {
			sl.lookups[lk.Content[i].Value] = lk.Content[i].Line
		}
	}
	res := mapValue(root, "resources")
	if res == nil || res.Kind != yaml.SequenceNode {
		return sl
	}
	for _, r := range res.Content {
		sl.resources = append(sl.resources, r.Line)
		var lines []int
		if f := mapValue(r, "fields"); f != nil && f.Kind == yaml.SequenceNode {
			for _, fn := range f.Content {
				lines = append(lines, fn.Line)
			}
		}
		sl.fields = append(sl.fields, lines)
	}
	return sl
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// resourceLine returns the line of resources[i], or 0.
func (sl *specLines) resourceLine(i int) int {
	if i < len(sl.resources) {
		return sl.resources[i]
	}
	return 0
}

// fieldLine returns the line of resources[i].fields[j], or 0.
func (sl *specLines) fieldLine(i, j int) int {
	if i < len(sl.fields) && j < len(sl.fields[i]) {
		return sl.fields[i][j]
	}
	return 0
}
