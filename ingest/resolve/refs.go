package resolve

import (
	"bytes"
	"github.com/fhirlake/fhirlake/internal/jsonscan"
	"net/url"
	"strconv"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/store"
)

// refSite is one Reference.reference string value of a resource: the
// bounds of its JSON literal (quotes included) and its decoded value.
type refSite struct {
	start, end int
	value      string
}

var keyReference = []byte(`"reference"`)

// scanRefs returns every "reference" member with a string value in body,
// in order, without parsing the rest of the document. In valid JSON an
// unescaped `"reference"` followed by a colon can only be a key.
func scanRefs(body []byte) []refSite {
	var out []refSite
	for off := 0; off < len(body); {
		k := bytes.Index(body[off:], keyReference)
		if k < 0 {
			break
		}
		q := off + k
		off = q + len(keyReference)
		if escaped(body, q) {
			continue
		}
		j := skipWS(body, off)
		if j >= len(body) || body[j] != ':' {
			continue
		}
		j = skipWS(body, j+1)
		if j >= len(body) || body[j] != '"' {
			continue
		}
		e, err := jsonscan.EndOfString(body, j)
		if err != nil {
			break
		}
		if v, ok := stringAt(body[j:e]); ok {
			out = append(out, refSite{start: j, end: e, value: v})
		}
		off = e
	}
	return out
}

// hasIdentifierObject reports whether body may hold an identifier-only
// reference: an "identifier" member whose value is an object
// (Reference.identifier), as opposed to the arrays of business
// identifiers.
func hasIdentifierObject(body []byte) bool {
	key := []byte(`"identifier"`)
	for off := 0; off < len(body); {
		k := bytes.Index(body[off:], key)
		if k < 0 {
			return false
		}
		q := off + k
		off = q + len(key)
		if escaped(body, q) {
			continue
		}
		j := skipWS(body, off)
		if j < len(body) && body[j] == ':' {
			if j = skipWS(body, j+1); j < len(body) && body[j] == '{' {
				return true
			}
		}
	}
	return false
}

// conditional is a parsed conditional reference `Type?identifier=…`.
type conditional struct {
	typ string
	q   store.IdentifierQuery
}

// parseConditional parses ref as `Type?identifier=[system|]value`. ok is
// false for anything else, including searches on other parameters or on
// more than one, which this package does not resolve.
func parseConditional(ref string) (c conditional, ok bool) {
	typ, query, found := strings.Cut(ref, "?")
	if !found || !fhir.IsResourceType(typ) {
		return c, false
	}
	raw, found := strings.CutPrefix(query, "identifier=")
	if !found || raw == "" || strings.ContainsRune(raw, '&') {
		return c, false
	}
	if strings.ContainsRune(raw, '%') {
		s, err := url.PathUnescape(raw)
		if err != nil {
			return c, false
		}
		raw = s
	}
	c.typ = typ
	if system, value, bar := strings.Cut(raw, "|"); bar {
		c.q = store.IdentifierQuery{System: system, Value: value}
	} else {
		c.q = store.IdentifierQuery{Value: raw, AnySystem: true}
	}
	return c, c.q.Value != ""
}

// literal returns the JSON string literal of the reference typ/id; both
// are validated FHIR names and ids, which need no escaping.
func literal(typ, id string) []byte {
	return []byte(strconv.Quote(typ + "/" + id))
}

// isConditional reports whether ref looks like a search URL rather than a
// literal reference; those left unresolved are what the import reports.
func isConditional(ref string) bool {
	typ, _, found := strings.Cut(ref, "?")
	return found && fhir.IsResourceType(typ)
}
