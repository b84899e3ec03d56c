package r4

import (
	"strconv"

	"github.com/fhirlake/fhirlake/fhir"
)

// Validate checks one resource JSON object against the R4 definitions and
// returns every problem found, in document order (nil if valid). See the
// package comment for what is and is not checked.
func Validate(body []byte) []fhir.Issue {
	t, err := defs()
	if err != nil {
		return []fhir.Issue{{Severity: "fatal", Code: "exception", Diagnostics: err.Error()}}
	}
	root, err := parseJSON(body)
	if err != nil {
		return []fhir.Issue{{Severity: "error", Code: "structure", Diagnostics: "r4: body is not valid JSON: " + err.Error()}}
	}
	v := validator{t: t, element: t.types["Element"], reference: t.types["Reference"]}
	v.resource(&root, true)
	return v.issues
}

// validator walks a parsed resource, tracking the FHIRPath location.
type validator struct {
	t         *table
	element   *typeDef // for _x primitive extension objects
	reference *typeDef // Reference, whose reference string is checked
	issues    []fhir.Issue
	path      []byte
	seen      []uint8 // per-object element presence, a stack of windows
}

// maxIssues bounds the issues reported for one resource; a last
// too-costly issue says that more were found.
const maxIssues = 1000

// report records an issue at the current path.
func (v *validator) report(code, problem string) {
	switch {
	case len(v.issues) > maxIssues:
		return
	case len(v.issues) == maxIssues:
		v.issues = append(v.issues, fhir.Issue{Severity: "error", Code: "too-costly",
			Diagnostics: "more than " + strconv.Itoa(maxIssues) + " problems; the rest are not reported"})
		return
	}
	loc := string(v.path)
	diag := problem
	if loc != "" {
		diag = loc + ": " + problem
	}
	is := fhir.Issue{Severity: "error", Code: code, Diagnostics: diag}
	if loc != "" {
		is.Expression = []string{loc}
	}
	v.issues = append(v.issues, is)
}

func (v *validator) push(seg string) int {
	n := len(v.path)
	if n > 0 {
		v.path = append(v.path, '.')
	}
	v.path = append(v.path, seg...)
	return n
}

func (v *validator) pushIndex(i int) int {
	n := len(v.path)
	v.path = append(v.path, '[')
	v.path = strconv.AppendInt(v.path, int64(i), 10)
	v.path = append(v.path, ']')
	return n
}

// resource validates a resource object. At the top level the path starts
// with the resource type; nested resources keep their container's path.
func (v *validator) resource(n *node, top bool) {
	if n.Kind != jObject {
		v.report("structure", "expected a resource (JSON object), found a JSON "+n.Kind.String())
		return
	}
	td := v.resourceType(n)
	if td == nil {
		return
	}
	if top {
		mark := v.push(td.name)
		defer func() { v.path = v.path[:mark] }()
	}
	v.object(n, td)
}

// resourceType returns the definition named by n's resourceType, or
// reports why there is none at <path>.resourceType.
func (v *validator) resourceType(n *node) *typeDef {
	mark := v.push("resourceType")
	defer func() { v.path = v.path[:mark] }()
	rt := n.Get("resourceType")
	switch {
	case rt == nil:
		v.report("required", "required element is missing (min 1)")
		return nil
	case rt.Kind != jString:
		v.report("structure", "expected a JSON string, found a JSON "+rt.Kind.String())
		return nil
	}
	td := v.t.types[rt.Str]
	if td == nil || td.kind != kindResource || td.abstract {
		v.report("invalid", "unknown resource type "+strconv.Quote(rt.Str))
		return nil
	}
	return td
}

// object validates the members of a JSON object against a type.
func (v *validator) object(n *node, td *typeDef) {
	if len(n.Members) == 0 {
		v.report("structure", "empty objects are not allowed in FHIR JSON")
		return
	}
	base := len(v.seen)
	for range td.elems {
		v.seen = append(v.seen, 0)
	}
	for i := range n.Members {
		v.member(n, &n.Members[i], td, base)
	}
	for _, e := range td.required {
		if v.seen[base+e.idx] == 0 {
			mark := v.push(e.name)
			v.report("required", "required element is missing (min "+strconv.Itoa(e.min)+")")
			v.path = v.path[:mark]
		}
	}
	v.seen = v.seen[:base]
}

// member validates one name/value pair of an object of type td.
func (v *validator) member(parent *node, m *member, td *typeDef, base int) {
	key, ext := m.Key, false
	if len(key) > 1 && key[0] == '_' {
		key, ext = key[1:], true
	}
	if m.Key == "resourceType" && td.kind == kindResource {
		return
	}
	mark := v.push(key)
	defer func() { v.path = v.path[:mark] }()
	p, ok := td.props[key]
	if !ok || (ext && p.typ.kind != kindPrimitive) {
		v.report("structure", "unknown element "+strconv.Quote(m.Key))
		return
	}
	v.markSeen(&v.seen[base+p.elem.idx], p, ext)
	if ext {
		v.primitiveExtension(parent, m, p)
		return
	}
	v.value(parent, m, p)
	if td == v.reference && key == "reference" && m.Val.Kind == jString && m.Val.Str != "" && !validReference(m.Val.Str) {
		v.report("value", strconv.Quote(m.Val.Str)+" is not a valid reference (expected Type/id, Type/id/_history/vid, #id, an absolute URL, urn:uuid: or urn:oid:)")
	}
}

// Presence flags in a seen slot; the low bits hold the choice variant.
const (
	seenValue   = 0x80
	seenExt     = 0x40
	variantMask = 0x3f
)

// markSeen records an element's presence, reporting a second choice
// variant or a repeated member name.
func (v *validator) markSeen(slot *uint8, p prop, ext bool) {
	flag := uint8(seenValue)
	if ext {
		flag = seenExt
	}
	switch variant := *slot & variantMask; {
	case variant == 0:
		*slot |= p.variant
	case variant != p.variant:
		v.report("invalid", "only one of the "+p.elem.name+" variants is allowed")
		return
	}
	if *slot&flag != 0 {
		v.report("structure", "the element appears more than once in the object")
	}
	*slot |= flag
}

// value validates the value of element p.elem, checking the array rules.
func (v *validator) value(parent *node, m *member, p prop) {
	e, n := p.elem, &m.Val
	if e.max == 1 {
		if n.Kind == jArray {
			v.report("structure", "must be a single value, not an array (max 1)")
			return
		}
		v.single(n, p)
		return
	}
	if n.Kind != jArray {
		v.report("structure", "must be a JSON array (max "+maxString(e.max)+"), found a JSON "+n.Kind.String())
		return
	}
	if len(n.Items) == 0 {
		v.report("structure", "empty arrays are not allowed in FHIR JSON")
		return
	}
	if e.max > 1 && len(n.Items) > e.max {
		v.report("invalid", "too many values: "+strconv.Itoa(len(n.Items))+" (max "+strconv.Itoa(e.max)+")")
	}
	if len(n.Items) < e.min {
		v.report("required", "too few values: "+strconv.Itoa(len(n.Items))+" (min "+strconv.Itoa(e.min)+")")
	}
	var exts *node
	for i := range n.Items {
		mark := v.pushIndex(i)
		item := &n.Items[i]
		if item.Kind == jNull && p.typ.kind == kindPrimitive {
			if exts == nil {
				exts = parent.Get("_" + m.Key)
			}
			if exts == nil || exts.Kind != jArray || i >= len(exts.Items) || exts.Items[i].Kind != jObject {
				v.report("structure", "null values are only allowed in primitive arrays with a matching _"+m.Key+" entry")
			}
		} else {
			v.single(item, p)
		}
		v.path = v.path[:mark]
	}
}

// single validates one value of type p.typ.
func (v *validator) single(n *node, p prop) {
	if n.Kind == jNull {
		v.report("structure", "null values are not allowed in FHIR JSON")
		return
	}
	typ := p.typ
	switch {
	case typ.kind == kindPrimitive:
		if code, problem := checkPrimitive(typ.name, n); problem != "" {
			v.report(code, problem)
			return
		}
		if p.elem.codes != nil {
			if _, ok := p.elem.codes[n.Str]; !ok {
				v.report("code-invalid", strconv.Quote(n.Str)+" is not in the required value set for "+p.elem.name)
			}
		}
	case typ.kind == kindResource:
		v.resource(n, false)
	case n.Kind != jObject:
		v.report("structure", "expected a JSON object for a FHIR "+typeLabel(typ)+", found a JSON "+n.Kind.String())
	default:
		v.object(n, typ)
	}
}

// primitiveExtension validates "_x", the id and extensions of primitive x.
func (v *validator) primitiveExtension(parent *node, m *member, p prop) {
	n := &m.Val
	if p.elem.max == 1 {
		if n.Kind != jObject {
			v.report("structure", "_"+p.elem.base+" must be a JSON object with id or extension, found a JSON "+n.Kind.String())
			return
		}
		v.object(n, v.element)
		return
	}
	if n.Kind != jArray || len(n.Items) == 0 {
		v.report("structure", "_"+m.Key[1:]+" must be a non-empty JSON array aligned with "+m.Key[1:])
		return
	}
	if vals := parent.Get(m.Key[1:]); vals != nil && vals.Kind == jArray && len(vals.Items) != len(n.Items) {
		v.report("structure", "_"+m.Key[1:]+" has "+strconv.Itoa(len(n.Items))+" entries but "+m.Key[1:]+" has "+strconv.Itoa(len(vals.Items)))
	}
	for i := range n.Items {
		item := &n.Items[i]
		if item.Kind == jNull {
			continue
		}
		mark := v.pushIndex(i)
		if item.Kind != jObject {
			v.report("structure", "expected a JSON object with id or extension, found a JSON "+item.Kind.String())
		} else {
			v.object(item, v.element)
		}
		v.path = v.path[:mark]
	}
}

func typeLabel(td *typeDef) string {
	if td.kind == kindBackbone {
		return "BackboneElement"
	}
	return td.name
}

func maxString(max int) string {
	if max < 0 {
		return "*"
	}
	return strconv.Itoa(max)
}
