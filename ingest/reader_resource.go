package ingest

import (
	"fmt"
	"unicode/utf8"

	"github.com/fhirlake/fhirlake/fhir"
)

// badRecord explains why bytes are not a valid resource. off is the byte
// offset of the problem within those bytes, or -1 if it has none.
type badRecord struct {
	off    int
	reason string
}

// resource is what inspect learned about a valid resource.
type resource struct {
	typ     string
	id      string // "" when the resource has no id
	compact bool   // the bytes are already compact JSON
}

// resourceScanner checks candidate resources. It is not safe for
// concurrent use; each reader owns one.
type resourceScanner struct {
	sc *scanner
}

func newResourceScanner() *resourceScanner {
	return &resourceScanner{sc: newScanner("resourceType", "id")}
}

// inspect validates data as one FHIR resource: UTF-8, JSON, an object with
// a known resourceType and, if present, a valid id.
func (r *resourceScanner) inspect(data []byte) (resource, *badRecord) {
	if !utf8.Valid(data) {
		return resource{}, &badRecord{off: invalidUTF8At(data), reason: "invalid UTF-8"}
	}
	kind, err := r.sc.scan(data)
	if err != nil {
		return resource{}, &badRecord{off: err.off, reason: "invalid JSON: " + err.msg}
	}
	if kind != '{' {
		return resource{}, &badRecord{off: -1, reason: "not a JSON object but " + kindName(kind)}
	}
	typ, bad := resourceType(r.sc.vals[0])
	if bad != nil {
		return resource{}, bad
	}
	if !fhir.IsResourceType(typ) {
		return resource{}, &badRecord{off: -1, reason: fmt.Sprintf("unknown resourceType %q (not a FHIR R4 resource type)", typ)}
	}
	res := resource{typ: typ, compact: r.sc.compact}
	if r.sc.vals[1] == nil {
		return res, nil
	}
	id, bad := stringMember(r.sc.vals[1], "id")
	if bad != nil {
		return resource{}, bad
	}
	if !fhir.ValidID(id) {
		return resource{}, &badRecord{off: -1, reason: fmt.Sprintf("invalid id %q (want 1-64 characters from A-Z a-z 0-9 - .)", id)}
	}
	res.id = id
	return res, nil
}

// typeNames maps every R4 resource type to itself, so that the type of
// each record is a shared string rather than a fresh allocation.
var typeNames = func() map[string]string {
	m := map[string]string{}
	for _, t := range fhir.ResourceTypes() {
		m[t] = t
	}
	return m
}()

// resourceType decodes the raw resourceType member.
func resourceType(raw []byte) (string, *badRecord) {
	if len(raw) > 1 && raw[0] == '"' {
		if t, ok := typeNames[string(raw[1:len(raw)-1])]; ok {
			return t, nil
		}
	}
	return stringMember(raw, "resourceType")
}

// stringMember decodes the raw value of a captured member that must be a
// string. A nil raw means the member is missing.
func stringMember(raw []byte, name string) (string, *badRecord) {
	switch {
	case raw == nil:
		return "", &badRecord{off: -1, reason: "missing " + name}
	case raw[0] != '"':
		return "", &badRecord{off: -1, reason: fmt.Sprintf("%s is %s, want a string", name, kindName(raw[0]))}
	}
	return unquote(raw), nil
}

// kindName names the JSON kind of a value from its first byte.
func kindName(first byte) string {
	switch first {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// invalidUTF8At returns the offset of the first invalid UTF-8 sequence.
func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// body returns a fresh compact copy of the inspected resource data, with
// references rewritten through refs and id inserted when assigned is true.
func body(data []byte, res resource, refs map[string]string, assigned bool) []byte {
	if res.compact && !assigned && len(refs) == 0 {
		return append(make([]byte, 0, len(data)), data...)
	}
	id := ""
	if assigned {
		id = res.id
	}
	return writeBody(make([]byte, 0, len(data)+len(id)+8), data, refs, id)
}

// compactOf returns the compact form of valid JSON data: data itself when
// it is already compact, else a copy written into *buf (which is reused).
// *buf never aliases data, so it stays safe to reuse when data lives in a
// read buffer: storing the returned slice as the next call's buffer would
// overwrite that read buffer.
func compactOf(buf *[]byte, data []byte, compact bool) []byte {
	if compact {
		return data
	}
	*buf = writeBody((*buf)[:0], data, nil, "")
	return *buf
}
