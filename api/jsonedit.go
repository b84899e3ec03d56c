package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// member is one top-level member of a JSON object, kept raw.
type member struct {
	key string
	val json.RawMessage
}

// objectMembers splits a JSON object into its members, in order. It fails
// on anything but exactly one JSON object, or on a key given twice.
// Well-formed input (checked by json.Valid, several times faster than
// decoding) is split by a scanner; the decoder runs only to explain what
// is wrong with malformed input.
func objectMembers(body []byte) ([]member, error) {
	if !json.Valid(body) {
		_, err := decodeMembers(body)
		if err == nil { // cannot happen: the decoder agrees with Valid
			err = errors.New("not valid JSON")
		}
		return nil, err
	}
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return nil, errors.New("not a JSON object")
	}
	var out []member
	seen := map[string]bool{}
	for i = skipSpace(body, i+1); body[i] != '}'; {
		end, err := stringEnd(body, i)
		if err != nil {
			return nil, err
		}
		lit := body[i : end+1]
		var key string
		if bytes.IndexByte(lit, '\\') < 0 {
			key = string(lit[1 : len(lit)-1])
		} else if err := json.Unmarshal(lit, &key); err != nil {
			return nil, fmt.Errorf("not valid JSON: %v", err)
		}
		if seen[key] {
			return nil, fmt.Errorf("member %q appears twice", key)
		}
		seen[key] = true
		i = skipSpace(body, end+1) + 1 // past ':'
		start := skipSpace(body, i)
		stop := valueEnd(body, start)
		out = append(out, member{key, json.RawMessage(body[start:stop])})
		i = skipSpace(body, stop)
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	return out, nil
}

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value starting at b[i];
// b is known to be valid JSON.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		end, _ := stringEnd(b, i)
		return end + 1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j, _ = stringEnd(b, j)
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && !bytes.ContainsRune([]byte(",}] \t\n\r"), rune(b[j])) {
		j++
	}
	return j
}

// decodeMembers is objectMembers by the token decoder, for its errors.
func decodeMembers(body []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not valid JSON: %v", err)
		}
		key := tok.(string) // object keys are always strings
		if seen[key] {
			return nil, fmt.Errorf("member %q appears twice", key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("member %q: not valid JSON: %v", key, err)
		}
		out = append(out, member{key, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not valid JSON: text after the object")
	}
	return out, nil
}

// stringMember returns the value of a string member, and whether it is
// present and a string.
func stringMember(ms []member, key string) (string, bool) {
	for _, m := range ms {
		if m.key == key {
			var s string
			if json.Unmarshal(m.val, &s) != nil {
				return "", false
			}
			return s, true
		}
	}
	return "", false
}

// withID returns the object ms with its id member set to id (first after
// resourceType when added).
func withID(ms []member, id string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	wrote := false
	write := func(k string, v []byte) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(k))
		b.WriteByte(':')
		b.Write(v) // the store compacts what it keeps
	}
	q := []byte(strconv.Quote(id))
	for _, m := range ms {
		switch m.key {
		case "id":
			continue
		case "resourceType":
			write(m.key, m.val)
			write("id", q)
			wrote = true
			continue
		}
		write(m.key, m.val)
	}
	if !wrote {
		write("id", q)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// rewriteStrings returns body with every JSON string value that repl maps
// replaced (object keys are left alone). ref, when set, is consulted only
// for the values of "reference" members and may fail; it resolves
// conditional references.
func rewriteStrings(body []byte, repl map[string]string, ref func(string) (string, bool, error)) ([]byte, error) {
	var out []byte
	last := 0
	prevKey := ""
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		end, err := stringEnd(body, i)
		if err != nil {
			return nil, err
		}
		lit := body[i : end+1]
		j := end + 1
		for j < len(body) && (body[j] == ' ' || body[j] == '\t' || body[j] == '\n' || body[j] == '\r') {
			j++
		}
		isKey := j < len(body) && body[j] == ':'
		var s string
		if bytes.IndexByte(lit, '\\') < 0 {
			s = string(lit[1 : len(lit)-1]) // no escapes: the text is the value
		} else if err := json.Unmarshal(lit, &s); err != nil {
			return nil, fmt.Errorf("bad string at byte %d: %v", i, err)
		}
		if isKey {
			prevKey = s
			i = end
			continue
		}
		to, ok := repl[s]
		if !ok && ref != nil && prevKey == "reference" {
			if to, ok, err = ref(s); err != nil {
				return nil, err
			}
		}
		if ok {
			out = append(out, body[last:i]...)
			out = strconv.AppendQuote(out, to)
			last = end + 1
		}
		prevKey = ""
		i = end
	}
	if out == nil {
		return body, nil
	}
	return append(out, body[last:]...), nil
}

// stringEnd returns the index of the quote closing the string that opens
// at body[i].
func stringEnd(body []byte, i int) (int, error) {
	for j := i + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			j++
		case '"':
			return j, nil
		}
	}
	return 0, fmt.Errorf("unterminated string at byte %d", i)
}
