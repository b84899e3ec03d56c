package resolve

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// TagSystem and TagMerged are the meta.tag added to a resource that
// absorbed another by business identifier.
const (
	TagSystem = "https://fhirlake.dev/fhir/CodeSystem/import"
	TagMerged = "merged"
)

var mergedTag = []byte(`{"system":"` + TagSystem + `","code":"` + TagMerged + `","display":"Merged with duplicates by business identifier"}`)

// skipTop and skipMeta are the members a merge never takes from the
// newcomer: its identity and its version stamp.
var (
	skipTop  = map[string]bool{"resourceType": true, "id": true, "meta": true}
	skipMeta = map[string]bool{"versionId": true, "lastUpdated": true}
)

// mergeInto merges the newcomer's content into the survivor (both
// resource JSON objects) and returns the survivor's new body:
//   - the survivor's members come first, in its order, and keep their
//     values, except arrays present in both, which become the survivor's
//     elements followed by the newcomer's elements it does not already
//     hold (compared as JSON values, member order ignored);
//   - the newcomer's members the survivor lacks follow, in the
//     newcomer's order;
//   - meta is merged the same way (without the newcomer's versionId and
//     lastUpdated) and gets the merged tag.
//
// Merging is idempotent: merging the same newcomer into the result again
// yields the same bytes, so the store sees no change.
func mergeInto(survivor, newcomer []byte) ([]byte, error) {
	return mergeObject(survivor, newcomer, skipTop, true)
}

func mergeObject(s, n []byte, skip map[string]bool, top bool) ([]byte, error) {
	sm, _, err := members(s, 0)
	if err != nil {
		return nil, err
	}
	nm, _, err := members(n, 0)
	if err != nil {
		return nil, err
	}
	w := objectWriter{buf: make([]byte, 0, len(s)+len(n)/2)}
	_, hasMeta := find(sm, "meta")
	for _, m := range sm {
		raw := s[m.start:m.end]
		other, inN := find(nm, m.key)
		switch {
		case top && m.key == "meta":
			if raw, err = mergeMeta(raw, memberValue(n, other, inN)); err != nil {
				return nil, err
			}
		case inN && !skip[m.key] && raw[0] == '[' && n[other.start] == '[':
			if raw, err = union(raw, n[other.start:other.end]); err != nil {
				return nil, err
			}
		}
		w.member(m.lit, raw)
		if top && !hasMeta && m.key == "id" {
			nmeta, inN := find(nm, "meta")
			meta, err := mergeMeta([]byte("{}"), memberValue(n, nmeta, inN))
			if err != nil {
				return nil, err
			}
			w.member([]byte(`"meta"`), meta)
		}
	}
	added := map[string]bool{} // a key repeated in the newcomer is taken once
	for _, m := range nm {
		if _, inS := find(sm, m.key); inS || skip[m.key] || added[m.key] {
			continue
		}
		added[m.key] = true
		w.member(m.lit, n[m.start:m.end])
	}
	return w.close(), nil
}

// memberValue returns the value of m in b, or nil when absent.
func memberValue(b []byte, m member, ok bool) []byte {
	if !ok {
		return nil
	}
	return b[m.start:m.end]
}

// mergeMeta merges the newcomer's meta (nil if none) into the survivor's
// and adds the merged tag unless present.
func mergeMeta(s, n []byte) ([]byte, error) {
	out := s
	if n != nil && n[0] == '{' {
		var err error
		if out, err = mergeObject(s, n, skipMeta, false); err != nil {
			return nil, err
		}
	}
	return addMergedTag(out)
}

// addMergedTag appends the merged tag to meta.tag unless it is there.
func addMergedTag(meta []byte) ([]byte, error) {
	ms, _, err := members(meta, 0)
	if err != nil {
		return nil, err
	}
	w := objectWriter{}
	found := false
	for _, m := range ms {
		raw := meta[m.start:m.end]
		if m.key == "tag" && raw[0] == '[' {
			found = true
			if raw, err = union(raw, append(append([]byte("["), mergedTag...), ']')); err != nil {
				return nil, err
			}
		}
		w.member(m.lit, raw)
	}
	if !found {
		w.member([]byte(`"tag"`), append(append([]byte("["), mergedTag...), ']'))
	}
	return w.close(), nil
}

// hasMergedTag reports whether a tag with the merged system and code is
// in the array raw, whatever its display.
func hasMergedTag(raw []byte) bool {
	var tags []struct{ System, Code string }
	if json.Unmarshal(raw, &tags) != nil {
		return false
	}
	for _, t := range tags {
		if t.System == TagSystem && t.Code == TagMerged {
			return true
		}
	}
	return false
}

// union returns the array s followed by the elements of n it lacks.
func union(s, n []byte) ([]byte, error) {
	if bytes.Equal(s, n) {
		return s, nil
	}
	se, err := elements(s, 0)
	if err != nil {
		return nil, err
	}
	ne, err := elements(n, 0)
	if err != nil {
		return nil, err
	}
	have := make([]any, len(se))
	for i, e := range se {
		have[i] = decode(s[e[0]:e[1]])
	}
	out := append([]byte(nil), s[:skipLastBracket(s)]...)
	count := len(se)
	for _, e := range ne {
		raw := n[e[0]:e[1]]
		if bytes.Equal(raw, mergedTag) && hasMergedTag(s) {
			continue
		}
		v := decode(raw)
		if containsAny(have, v) {
			continue
		}
		if count > 0 {
			out = append(out, ',')
		}
		out = append(out, raw...)
		have = append(have, v)
		count++
	}
	return append(out, ']'), nil
}

// skipLastBracket returns the index of the closing bracket of array s,
// trailing blanks before it removed.
func skipLastBracket(s []byte) int {
	i := bytes.LastIndexByte(s, ']')
	for i > 0 && (s[i-1] == ' ' || s[i-1] == '\n' || s[i-1] == '\t' || s[i-1] == '\r') {
		i--
	}
	return i
}

// containsAny reports whether some element of have equals v.
func containsAny(have []any, v any) bool {
	for _, h := range have {
		if reflect.DeepEqual(h, v) {
			return true
		}
	}
	return false
}

// decode parses a JSON value keeping numbers as written.
func decode(raw []byte) any {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return string(raw)
	}
	return v
}

// objectWriter builds a JSON object member by member.
type objectWriter struct {
	buf []byte
	n   int
}

// member appends a member; key is its JSON literal, quotes included.
func (w *objectWriter) member(key, raw []byte) {
	if w.n == 0 {
		w.buf = append(w.buf, '{')
	} else {
		w.buf = append(w.buf, ',')
	}
	w.buf = append(w.buf, key...)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, raw...)
	w.n++
}

func (w *objectWriter) close() []byte {
	if w.n == 0 {
		return []byte("{}")
	}
	return append(w.buf, '}')
}
