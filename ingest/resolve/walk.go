package resolve

import (
	"encoding/json"
	"strconv"
)

// site is a reference found by walk: either a reference string (start and
// end bound its literal) or an identifier-only Reference (obj is the
// offset of the Reference object's opening brace).
type site struct {
	path       string // FHIRPath-like, e.g. Encounter.participant[0].individual
	start, end int
	value      string // the reference string, or "" for identifier-only

	identOnly bool
	obj       int
	refType   string // Reference.type, if any
	ident     identifierValue
}

// identifierValue is an Identifier's system and value.
type identifierValue struct{ System, Value string }

// String formats the identifier as a FHIR token, system|value.
func (v identifierValue) String() string { return v.System + "|" + v.Value }

// walk visits every object of the resource body of type typ and returns
// its reference strings and identifier-only References, with paths. It
// parses the whole document, so Put only calls it when a quick scan says
// there is an identifier-only reference, and for warnings.
func walk(body []byte, typ string) ([]site, error) {
	var out []site
	err := walkValue(body, skipWS(body, 0), typ, &out)
	return out, err
}

func walkValue(b []byte, i int, path string, out *[]site) error {
	if i >= len(b) {
		return errSyntax
	}
	switch b[i] {
	case '{':
		return walkObject(b, i, path, out)
	case '[':
		els, err := elements(b, i)
		if err != nil {
			return err
		}
		for n, e := range els {
			if err := walkValue(b, e[0], path+"["+strconv.Itoa(n)+"]", out); err != nil {
				return err
			}
		}
	}
	return nil
}

func walkObject(b []byte, i int, path string, out *[]site) error {
	ms, _, err := members(b, i)
	if err != nil {
		return err
	}
	ref, hasRef := find(ms, "reference")
	if hasRef && b[ref.start] == '"' {
		v, _ := stringAt(b[ref.start:ref.end])
		*out = append(*out, site{path: path, start: ref.start, end: ref.end, value: v})
	}
	if id, ok := find(ms, "identifier"); ok && !hasRef && b[id.start] == '{' {
		s := site{path: path, identOnly: true, obj: skipWS(b, i)}
		if json.Unmarshal(b[id.start:id.end], &s.ident) == nil && s.ident.Value != "" {
			if t, ok := find(ms, "type"); ok {
				s.refType, _ = stringAt(b[t.start:t.end])
			}
			*out = append(*out, s)
		}
	}
	for _, m := range ms {
		if c := b[m.start]; c == '{' || c == '[' {
			if err := walkValue(b, m.start, path+"."+m.key, out); err != nil {
				return err
			}
		}
	}
	return nil
}
