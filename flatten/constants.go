package flatten

import (
	"fmt"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// compileConstants decodes the view's constants into FHIRPath values. A
// constant keeps its FHIR type (date, Quantity, ...) for ofType and
// boundaries.
func compileConstants(vd *ViewDefinition) (map[string]fhirpath.Collection, error) {
	out := make(map[string]fhirpath.Collection, len(vd.Constant))
	for _, c := range vd.Constant {
		if !identRE.MatchString(c.Name) {
			return nil, fmt.Errorf("constant %q: name is not a valid identifier", c.Name)
		}
		if c.Type == "" {
			return nil, fmt.Errorf("constant %q: value[x] is required", c.Name)
		}
		if _, dup := out[c.Name]; dup {
			return nil, fmt.Errorf("constant %q: defined twice", c.Name)
		}
		var d fhirpath.Decoder // one per constant: its nodes must outlive the call
		n, err := d.Decode(c.Value)
		if err != nil {
			return nil, fmt.Errorf("constant %q: %w", c.Name, err)
		}
		typ := c.Type
		if _, primitive := fhirTypes[lowerFirst(typ)]; primitive {
			typ = lowerFirst(typ)
		}
		out[c.Name] = fhirpath.Typed(n, typ)
	}
	return out, nil
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
