package deid

import "strings"

// refString pseudonymises the id part of a reference (Type/id,
// Type/id/_history/vid, an absolute URL ending so, #id, urn:uuid:) with
// the function used for resource ids, so references still resolve; the
// type, the server base and the version are kept. It reports false, to
// remove the value, for urn:oid: and other opaque values and for
// conditional references (their query holds search values). With
// allowQuery (Bundle.entry.request.url) the query is cut off instead and
// a bare type is kept.
func (w *walker) refString(s string, allowQuery bool) (string, bool) {
	switch {
	case s == "#":
		return s, true
	case strings.HasPrefix(s, "#"):
		return "#" + w.d.keys.token(domainID, s[1:]), true
	case strings.HasPrefix(s, "urn:uuid:"):
		return "urn:uuid:" + w.d.keys.uuid(domainID, s[len("urn:uuid:"):]), true
	}
	if q := strings.IndexByte(s, '?'); q >= 0 {
		if !allowQuery {
			return "", false
		}
		s = s[:q]
	}
	if allowQuery && isResourceType(s) {
		return s, true
	}
	segs := strings.Split(s, "/")
	for i := len(segs) - 2; i >= 0; i-- {
		rest := len(segs) - i
		if !isResourceType(segs[i]) || segs[i+1] == "" {
			continue
		}
		if rest == 2 || (rest == 4 && segs[i+2] == "_history") {
			segs[i+1] = w.d.keys.token(domainID, segs[i+1])
			return strings.Join(segs, "/"), true
		}
	}
	return "", false
}
