package resolve

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/fhirlake/fhirlake/internal/jsonscan"
)

// errSyntax reports JSON the scanner cannot follow. Import only hands
// the sink well-formed JSON objects, so it means a caller's bug.
var errSyntax = errors.New("resolve: malformed JSON")

// member is one member of a JSON object: its key and the bounds of its
// value within the scanned bytes.
type member struct {
	key        string
	lit        []byte // the key's JSON literal, as written
	start, end int
}

// skipWS returns the index of the first non-blank byte of b at or after i.
func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringAt decodes the JSON string literal lit (quotes included).
func stringAt(lit []byte) (string, bool) {
	if len(lit) < 2 || lit[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(lit, '\\') < 0 {
		return string(lit[1 : len(lit)-1]), true
	}
	var s string
	if json.Unmarshal(lit, &s) != nil {
		return "", false
	}
	return s, true
}

// members returns the members of the object starting at b[i] (after any
// blanks), with offsets into b, and the index just after the object.
func members(b []byte, i int) ([]member, int, error) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] != '{' {
		return nil, 0, errSyntax
	}
	var out []member
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return out, i + 1, nil
	}
	for i < len(b) {
		if b[i] != '"' {
			return nil, 0, errSyntax
		}
		keyStart := i
		e, err := jsonscan.EndOfString(b, i)
		if err != nil {
			return nil, 0, err
		}
		key, ok := stringAt(b[i:e])
		if !ok {
			return nil, 0, errSyntax
		}
		i = skipWS(b, e)
		if i >= len(b) || b[i] != ':' {
			return nil, 0, errSyntax
		}
		i = skipWS(b, i+1)
		end, err := jsonscan.EndOfValue(b, i)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, member{key: key, lit: b[keyStart:e], start: i, end: end})
		i = skipWS(b, end)
		if i < len(b) && b[i] == '}' {
			return out, i + 1, nil
		}
		if i >= len(b) || b[i] != ',' {
			return nil, 0, errSyntax
		}
		i = skipWS(b, i+1)
	}
	return nil, 0, errSyntax
}

// elements returns the bounds of the elements of the array starting at
// b[i] (after any blanks).
func elements(b []byte, i int) ([][2]int, error) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] != '[' {
		return nil, errSyntax
	}
	var out [][2]int
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return out, nil
	}
	for i < len(b) {
		end, err := jsonscan.EndOfValue(b, i)
		if err != nil {
			return nil, err
		}
		out = append(out, [2]int{i, end})
		i = skipWS(b, end)
		if i < len(b) && b[i] == ']' {
			return out, nil
		}
		if i >= len(b) || b[i] != ',' {
			return nil, errSyntax
		}
		i = skipWS(b, i+1)
	}
	return nil, errSyntax
}

// find returns the member named key, if any.
func find(ms []member, key string) (member, bool) {
	for _, m := range ms {
		if m.key == key {
			return m, true
		}
	}
	return member{}, false
}

// escaped reports whether the byte at i is preceded by an odd number of
// backslashes, that is, escaped inside a string.
func escaped(b []byte, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}
