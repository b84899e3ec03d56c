package csvmap

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// maxFixedDepth bounds the nesting (and alias expansion) of fixed values.
const maxFixedDepth = 32

// maxFixedSize bounds the JSON size of one fixed value, which YAML aliases
// could otherwise blow up exponentially.
const maxFixedSize = 1 << 20

// jsonNumber is the JSON (and FHIR decimal) number syntax.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// fixedJSON renders a YAML (or JSON) value as compact JSON. Numbers keep
// their digits; null, NaN and infinities are refused because FHIR has no
// such values.
func fixedJSON(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	if err := writeFixed(&b, n, 0); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeFixed(b *bytes.Buffer, n *yaml.Node, depth int) error {
	if b.Len() > maxFixedSize {
		return fmt.Errorf("line %d: fixed value is larger than %d bytes", n.Line, maxFixedSize)
	}
	if depth > maxFixedDepth {
		return fmt.Errorf("line %d: fixed value nested deeper than %d", n.Line, maxFixedDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return fmt.Errorf("line %d: unresolved alias", n.Line)
		}
		return writeFixed(b, n.Alias, depth+1)
	case yaml.MappingNode:
		return writeFixedMap(b, n, depth)
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return fmt.Errorf("line %d: empty arrays are not allowed in FHIR", n.Line)
		}
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeFixed(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		return writeScalar(b, n)
	}
	return fmt.Errorf("line %d: unsupported fixed value", n.Line)
}

func writeFixedMap(b *bytes.Buffer, n *yaml.Node, depth int) error {
	if len(n.Content) == 0 {
		return fmt.Errorf("line %d: empty objects are not allowed in FHIR", n.Line)
	}
	b.WriteByte('{')
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return fmt.Errorf("line %d: object keys must be strings", k.Line)
		}
		if seen[k.Value] {
			return fmt.Errorf("line %d: key %q appears twice", k.Line, k.Value)
		}
		seen[k.Value] = true
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(jsonString(k.Value))
		b.WriteByte(':')
		if err := writeFixed(b, n.Content[i+1], depth+1); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

func writeScalar(b *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!str":
		if n.Value == "" {
			return fmt.Errorf("line %d: empty strings are not allowed in FHIR", n.Line)
		}
		b.Write(jsonString(n.Value))
	case "!!int":
		v, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil {
			return fmt.Errorf("line %d: %q is not an integer", n.Line, n.Value)
		}
		b.WriteString(strconv.FormatInt(v, 10))
	case "!!float":
		if !jsonNumber.MatchString(n.Value) {
			return fmt.Errorf("line %d: %q is not a JSON number", n.Line, n.Value)
		}
		b.WriteString(n.Value)
	case "!!bool":
		v, err := strconv.ParseBool(n.Value)
		if err != nil {
			return fmt.Errorf("line %d: %q is not a boolean", n.Line, n.Value)
		}
		b.WriteString(strconv.FormatBool(v))
	case "!!null":
		return fmt.Errorf("line %d: null is not allowed in FHIR", n.Line)
	default:
		return fmt.Errorf("line %d: unsupported value of type %s", n.Line, n.ShortTag())
	}
	return nil
}
