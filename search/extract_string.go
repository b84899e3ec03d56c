package search

import "github.com/fhirlake/fhirlake/flatten/fhirpath"

// nameParts and addressParts are the elements of HumanName and Address
// that a string parameter indexes, one value each.
var (
	nameParts    = []string{"family", "given", "prefix", "suffix", "text"}
	addressParts = []string{"line", "city", "district", "state", "postalCode", "country", "text"}
)

// addString appends the string values of one item: a string primitive,
// or the parts of a HumanName or Address. Other complex types give their
// text or display, when they have one.
func addString(out *Values, code string, v fhirpath.Value) {
	n := v.N
	switch n.Kind {
	case fhirpath.KindString:
		appendString(out, code, n.Str)
		return
	case fhirpath.KindObject:
	default:
		return
	}
	switch {
	case v.Type == "HumanName" || n.Get("family") != nil || n.Get("given") != nil:
		appendParts(out, code, n, nameParts)
	case v.Type == "Address" || n.Get("line") != nil || n.Get("city") != nil || n.Get("postalCode") != nil ||
		n.Get("country") != nil || n.Get("state") != nil || n.Get("district") != nil:
		appendParts(out, code, n, addressParts)
	default:
		appendParts(out, code, n, []string{"text", "display"})
	}
}

func appendParts(out *Values, code string, n *fhirpath.Node, parts []string) {
	for _, name := range parts {
		f := n.Get(name)
		if f == nil {
			continue
		}
		if f.Kind == fhirpath.KindString {
			appendString(out, code, f.Str)
			continue
		}
		if f.Kind == fhirpath.KindArray {
			for _, it := range f.Items {
				if it.Kind == fhirpath.KindString {
					appendString(out, code, it.Str)
				}
			}
		}
	}
}

func appendString(out *Values, code, s string) {
	if s == "" {
		return
	}
	out.Strings = append(out.Strings, StringValue{Param: code, Value: s, Norm: Normalize(s)})
}
