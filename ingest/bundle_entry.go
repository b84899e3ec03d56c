package ingest

import (
	"fmt"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// entry is what entryScanner learned about one valid Bundle entry.
type entry struct {
	fullURL  string
	data     []byte // the raw resource, as found in the entry
	res      resource
	assigned bool // res.id did not come from the resource itself
	hashed   bool // res.id was derived from the resource's content
}

// entryScanner checks Bundle entries and decides their ids. The same
// decision is made in both passes over a Bundle, so the reference map built
// in the first matches the ids emitted in the second.
type entryScanner struct {
	entry   *scanner // fullUrl, resource, request
	request *scanner // method, url
	rs      *resourceScanner
	hashBuf []byte
}

func newEntryScanner() *entryScanner {
	return &entryScanner{
		entry:   newScanner("fullUrl", "resource", "request"),
		request: newScanner("method", "url"),
		rs:      newResourceScanner(),
	}
}

// inspect checks entry i, given as raw JSON.
func (es *entryScanner) inspect(raw []byte, i int) (entry, *badRecord) {
	where := func() string { return fmt.Sprintf("Bundle.entry[%d]", i) }
	kind, err := es.entry.scan(raw)
	if err != nil {
		return entry{}, &badRecord{off: -1, reason: where() + ": invalid JSON: " + err.msg}
	}
	if kind != '{' {
		return entry{}, &badRecord{off: -1, reason: where() + " is not a JSON object but " + kindName(kind)}
	}
	var e entry
	e.fullURL = optString(es.entry.vals[0])
	resRaw, reqRaw := es.entry.vals[1], es.entry.vals[2]
	method, url := es.requestOf(reqRaw)
	if resRaw == nil || resRaw[0] == 'n' { // missing or null
		if strings.EqualFold(method, "DELETE") {
			return entry{}, &badRecord{off: -1, reason: fmt.Sprintf("%s: DELETE entries are not supported by import yet (%s %s)", where(), method, url)}
		}
		return entry{}, &badRecord{off: -1, reason: where() + " has no resource"}
	}
	res, bad := es.rs.inspect(resRaw)
	if bad != nil {
		return entry{}, &badRecord{off: -1, reason: where() + ".resource: " + bad.reason}
	}
	// A Bundle inside an entry is kept as one resource; it is not unpacked.
	e.data, e.res = resRaw, res
	if e.res.id == "" {
		e.res.id, e.hashed = es.assignID(e.fullURL, method, url, res, resRaw)
		e.assigned = true
	}
	return e, nil
}

// requestOf returns Bundle.entry.request method and url, if present.
func (es *entryScanner) requestOf(raw []byte) (method, url string) {
	if raw == nil || raw[0] != '{' {
		return "", ""
	}
	if _, err := es.request.scan(raw); err != nil {
		return "", ""
	}
	return optString(es.request.vals[0]), optString(es.request.vals[1])
}

// assignID picks the id of a resource that has none: from a PUT
// request.url "Type/id", else from a "urn:uuid:" fullUrl, else from a hash
// of the resource's content (hashed is then true).
func (es *entryScanner) assignID(fullURL, method, url string, res resource, raw []byte) (id string, hashed bool) {
	if strings.EqualFold(method, "PUT") {
		if id, ok := idFromURL(url, res.typ); ok {
			return id, false
		}
	}
	if id, ok := strings.CutPrefix(fullURL, "urn:uuid:"); ok && fhir.ValidID(id) {
		return id, false
	}
	return contentID(compactOf(&es.hashBuf, raw, res.compact)), true
}

// idFromURL extracts id from a "[base/]Type/id" URL without a query.
func idFromURL(url, typ string) (string, bool) {
	if strings.ContainsAny(url, "?#") {
		return "", false
	}
	rest, id, ok := cutLast(url, "/")
	if !ok || !fhir.ValidID(id) {
		return "", false
	}
	_, t, _ := cutLast(rest, "/")
	if t == "" {
		t = rest
	}
	if t != typ {
		return "", false
	}
	return id, true
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+len(sep):], true
}

// optString decodes a captured member that should be a string; anything
// else counts as absent.
func optString(raw []byte) string {
	if raw == nil || raw[0] != '"' {
		return ""
	}
	return unquote(raw)
}

// isLocalURN reports whether a fullUrl is a bundle-local identifier whose
// references must be rewritten to "Type/id".
func isLocalURN(fullURL string) bool {
	return strings.HasPrefix(fullURL, "urn:uuid:") || strings.HasPrefix(fullURL, "urn:oid:")
}
