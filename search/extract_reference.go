package search

import (
	"net/url"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// addReference appends a reference value from a Reference object, a
// canonical or uri string, or a resource (Bundle.entry[0].resource).
func addReference(out *Values, code string, targets []string, v fhirpath.Value, root *fhirpath.Node) {
	n := v.N
	var r ReferenceValue
	switch n.Kind {
	case fhirpath.KindString:
		var ok bool
		if r, ok = stringReference(n.Str); !ok {
			return
		}
	case fhirpath.KindObject:
		if rt := str(n, "resourceType"); rt != "" {
			r = ReferenceValue{TargetType: rt, TargetID: str(n, "id")}
			break
		}
		var ok bool
		if r, ok = referenceObject(n, root); !ok {
			return
		}
	default:
		return
	}
	if r.TargetType == "" && len(targets) == 1 {
		r.TargetType = targets[0]
	}
	r.Param = code
	out.References = append(out.References, r)
}

// referenceObject reads a Reference; ok is false when it has neither a
// usable reference nor an identifier.
func referenceObject(n *fhirpath.Node, root *fhirpath.Node) (ReferenceValue, bool) {
	var r ReferenceValue
	ok := false
	if ref := str(n, "reference"); ref != "" {
		r, ok = ParseReference(ref)
		if ok && strings.HasPrefix(ref, "#") {
			r.TargetType = containedType(root, ref[1:])
		}
		if !ok {
			r, ok = conditionalReference(ref)
		}
	}
	if id := n.Get("identifier"); id != nil && id.Kind == fhirpath.KindObject {
		r.IdentifierSystem, r.IdentifierValue = str(id, "system"), str(id, "value")
		ok = ok || r.IdentifierSystem != "" || r.IdentifierValue != ""
	}
	if r.TargetType == "" {
		if t := str(n, "type"); fhir.IsResourceType(t) {
			r.TargetType = t
		}
	}
	return r, ok
}

// conditionalReference reads a conditional reference by identifier,
// Type?identifier=system|value (as Synthea writes for practitioners), into
// TargetType and the identifier fields.
func conditionalReference(ref string) (ReferenceValue, bool) {
	typ, query, ok := strings.Cut(ref, "?")
	if !ok || !fhir.IsResourceType(typ) {
		return ReferenceValue{}, false
	}
	q, err := url.ParseQuery(query)
	if err != nil || len(q) != 1 || len(q["identifier"]) != 1 {
		return ReferenceValue{}, false
	}
	r := ReferenceValue{TargetType: typ}
	if sys, val, found := strings.Cut(q["identifier"][0], "|"); found {
		r.IdentifierSystem, r.IdentifierValue = sys, val
	} else {
		r.IdentifierValue = sys
	}
	return r, r.IdentifierValue != ""
}

// ParseReference splits a literal reference (Reference.reference). See
// [ReferenceValue] for the forms. ok is false for an empty or conditional
// (Patient?identifier=...) reference.
func ParseReference(ref string) (r ReferenceValue, ok bool) {
	switch {
	case ref == "" || strings.ContainsRune(ref, '?'):
		return r, false
	case strings.HasPrefix(ref, "#"):
		return ReferenceValue{TargetID: ref}, len(ref) > 1
	case strings.HasPrefix(ref, "urn:"):
		return ReferenceValue{URL: ref}, true
	}
	path := ref
	if i := strings.Index(path, "/_history/"); i >= 0 {
		r.Version = path[i+len("/_history/"):]
		path = path[:i]
	}
	if strings.Contains(path, "://") {
		r.URL = path
	}
	segs := strings.Split(path, "/")
	if len(segs) >= 2 {
		typ, id := segs[len(segs)-2], segs[len(segs)-1]
		if fhir.IsResourceType(typ) && fhir.ValidID(id) {
			r.TargetType, r.TargetID = typ, id
		}
	}
	if r.URL == "" && r.TargetID == "" {
		return ReferenceValue{}, false
	}
	return r, true
}

// ParseCanonical splits a canonical URL with an optional |version suffix.
// TargetType is set when the URL's second-last segment is a resource type
// (http://hl7.org/fhir/ValueSet/x); TargetID is never set, because a
// canonical URL's tail need not be the resource's id.
func ParseCanonical(s string) ReferenceValue {
	r := ReferenceValue{URL: s}
	if i := strings.LastIndexByte(s, '|'); i >= 0 {
		r.URL, r.Version = s[:i], s[i+1:]
	}
	if segs := strings.Split(r.URL, "/"); len(segs) >= 2 && fhir.IsResourceType(segs[len(segs)-2]) {
		r.TargetType = segs[len(segs)-2]
	}
	return r
}

// stringReference reads a canonical or uri value: an absolute URL or URN
// (see [ParseCanonical]), a relative Type/id with an optional |version
// (relative canonicals such as Library/x are common in the examples), or
// any other text, kept whole as the URL.
func stringReference(s string) (ReferenceValue, bool) {
	if s == "" {
		return ReferenceValue{}, false
	}
	if strings.Contains(s, ":") {
		return ParseCanonical(s), true
	}
	path, version, _ := strings.Cut(s, "|")
	r, ok := ParseReference(path)
	if !ok || r.TargetID == "" {
		// Not Type/id: keep it as an opaque (relative) canonical.
		return ParseCanonical(s), true
	}
	if version != "" {
		r.Version = version
	}
	return r, true
}

// containedType returns the resourceType of the contained resource id.
func containedType(root *fhirpath.Node, id string) string {
	c := root.Get("contained")
	if c == nil || c.Kind != fhirpath.KindArray {
		return ""
	}
	for _, it := range c.Items {
		if str(it, "id") == id {
			return str(it, "resourceType")
		}
	}
	return ""
}
