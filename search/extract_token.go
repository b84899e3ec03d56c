package search

import "github.com/fhirlake/fhirlake/flatten/fhirpath"

// contactSystems are the codes of ContactPoint.system, which tell a
// ContactPoint from an Identifier (whose system is a URI).
var contactSystems = map[string]bool{
	"phone": true, "fax": true, "email": true, "pager": true, "url": true, "sms": true, "other": true,
}

// addToken appends the token values of one item.
func addToken(out *Values, code string, v fhirpath.Value) {
	n := v.N
	switch n.Kind {
	case fhirpath.KindString, fhirpath.KindNumber:
		out.Tokens = append(out.Tokens, TokenValue{Param: code, Code: n.Str})
	case fhirpath.KindBool:
		b := "false"
		if n.Bool {
			b = "true"
		}
		out.Tokens = append(out.Tokens, TokenValue{Param: code, Code: b})
	case fhirpath.KindObject:
		addTokenObject(out, code, v)
	}
}

func addTokenObject(out *Values, code string, v fhirpath.Value) {
	n := v.N
	switch {
	case v.Type == "CodeableConcept" || n.Get("coding") != nil:
		addConcept(out, code, n)
	case v.Type == "Reference" || n.Get("reference") != nil:
		// A token over a Reference indexes its identifier.
		if id := n.Get("identifier"); id != nil && id.Kind == fhirpath.KindObject {
			addIdentifier(out, code, id)
		}
	case v.Type == "ContactPoint" || isContactPoint(n):
		if val := str(n, "value"); val != "" {
			out.Tokens = append(out.Tokens, TokenValue{Param: code, System: str(n, "system"), Code: val})
		}
	case v.Type == "Identifier" || isString(n.Get("value")):
		addIdentifier(out, code, n)
	case n.Get("code") != nil || n.Get("system") != nil:
		// A Coding, or the unit of a Quantity.
		addCoding(out, code, n, "")
	case n.Get("text") != nil:
		addConcept(out, code, n)
	}
}

func isString(n *fhirpath.Node) bool { return n != nil && n.Kind == fhirpath.KindString }

func isContactPoint(n *fhirpath.Node) bool {
	return isString(n.Get("value")) && contactSystems[str(n, "system")] && n.Get("type") == nil
}

// addConcept appends one value per coding of a CodeableConcept, each with
// the concept's text, or one text-only value when it has text but no
// coding.
func addConcept(out *Values, code string, n *fhirpath.Node) {
	text := str(n, "text")
	added := false
	if cs := n.Get("coding"); cs != nil && cs.Kind == fhirpath.KindArray {
		for _, c := range cs.Items {
			if c.Kind == fhirpath.KindObject {
				added = addCoding(out, code, c, text) || added
			}
		}
	}
	if !added && text != "" {
		out.Tokens = append(out.Tokens, TokenValue{Param: code, Text: text})
	}
}

// addCoding appends a Coding; it reports false when the coding has
// neither system nor code.
func addCoding(out *Values, code string, c *fhirpath.Node, text string) bool {
	sys, cd := str(c, "system"), str(c, "code")
	if sys == "" && cd == "" {
		return false
	}
	out.Tokens = append(out.Tokens, TokenValue{Param: code, System: sys, Code: cd, Display: str(c, "display"), Text: text})
	return true
}

// addIdentifier appends an Identifier: system, value and type.text, once
// for each coding of its type (for :of-type), or once when the type has
// no coding.
func addIdentifier(out *Values, code string, n *fhirpath.Node) {
	sys, val := str(n, "system"), str(n, "value")
	if sys == "" && val == "" {
		return
	}
	v := TokenValue{Param: code, System: sys, Code: val}
	t := n.Get("type")
	if t == nil {
		out.Tokens = append(out.Tokens, v)
		return
	}
	v.Text = str(t, "text")
	added := false
	if cs := t.Get("coding"); cs != nil && cs.Kind == fhirpath.KindArray {
		for _, c := range cs.Items {
			ts, tc := str(c, "system"), str(c, "code")
			if ts == "" && tc == "" {
				continue
			}
			v.TypeSystem, v.TypeCode = ts, tc
			out.Tokens = append(out.Tokens, v)
			added = true
		}
	}
	if !added {
		out.Tokens = append(out.Tokens, v)
	}
}
