package r4

import "strings"

// Element describes the element at path: a resource type followed by
// element names ("Observation.subject", "Patient.contact.name"; a choice
// element by its name without [x], "Observation.value"). Repeats is set
// when the element or one above it may occur more than once, so that a
// resource may hold several values there; Types are the element's type
// codes. ok is false for a path the definitions do not have.
func Element(path string) (repeats bool, types []string, ok bool) {
	t, err := defs()
	if err != nil {
		return false, nil, false
	}
	names := strings.Split(path, ".")
	td := t.types[names[0]]
	if td == nil || td.kind != kindResource {
		return false, nil, false
	}
	for i, name := range names[1:] {
		var e *elemDef
		for _, c := range td.elems {
			if c.base == name {
				e = c
				break
			}
		}
		if e == nil {
			return false, nil, false
		}
		if e.max != 1 {
			repeats = true
		}
		if i == len(names)-2 {
			return repeats, e.typeNames, true
		}
		switch {
		case e.backbone != nil:
			td = e.backbone
		case len(e.types) == 1:
			td = e.types[0]
		default:
			return false, nil, false // into a choice of several types
		}
	}
	return false, nil, false // a bare resource type is not an element
}

// ValidPrimitive reports whether value is well formed for the primitive
// type typ (date, dateTime, instant, time, id, code, uri, oid, uuid,
// base64Binary; other types accept any string), as Validate checks it.
func ValidPrimitive(typ, value string) bool { return validFormat(typ, value) }
