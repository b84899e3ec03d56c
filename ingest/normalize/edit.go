package normalize

import "slices"

// edit replaces body[start:end] with text; start == end inserts.
type edit struct {
	start, end int
	text       string
}

// insert queues members (",\"k\":\"v\"..." as built by appendMember) at
// the closing brace at pos of a non-empty or empty object.
func (w *walker) insert(pos int, members []byte) {
	i := pos - 1
	for i >= 0 && isSpace(w.data[i]) {
		i--
	}
	if i >= 0 && w.data[i] == '{' {
		members = members[1:] // empty object: no leading comma
	}
	w.edits = append(w.edits, edit{start: pos, end: pos, text: string(members)})
}

// appendMember appends ,"key":"val" to b.
func appendMember(b []byte, key, val string) []byte {
	b = append(b, ',')
	b = append(b, quote(key)...)
	b = append(b, ':')
	return append(b, quote(val)...)
}

// applyEdits returns a copy of body with the non-overlapping edits
// applied.
func applyEdits(body []byte, edits []edit) []byte {
	slices.SortStableFunc(edits, func(a, b edit) int { return a.start - b.start })
	n := len(body)
	for _, e := range edits {
		n += len(e.text) - (e.end - e.start)
	}
	out := make([]byte, 0, n)
	at := 0
	for _, e := range edits {
		out = append(out, body[at:e.start]...)
		out = append(out, e.text...)
		at = e.end
	}
	return append(out, body[at:]...)
}

// quote encodes s as a JSON string, escaping only what JSON requires (so
// "<" and "&" stay as written) and keeping non-ASCII bytes.
func quote(s string) string {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] >= 0x20 && s[i] != '"' && s[i] != '\\'
	}
	if plain {
		return `"` + s + `"`
	}
	b := make([]byte, 0, len(s)+8)
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}
