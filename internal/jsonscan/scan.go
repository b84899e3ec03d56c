// Package jsonscan finds the ends of JSON strings and values in raw bytes
// without decoding them: the store rewrites meta and the import's
// reference resolver reads members on hot paths where decoding each
// resource would cost more than the work itself. It expects valid JSON
// (whitespace between tokens is allowed) and reports ErrMalformed where
// it cannot follow.
package jsonscan

import (
	"bytes"
	"errors"
)

// ErrMalformed reports JSON the scanner cannot follow.
var ErrMalformed = errors.New("malformed JSON")

// EndOfString returns the index just after the string whose opening quote
// is b[i].
func EndOfString(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return 0, ErrMalformed
	}
	for j := i + 1; j < len(b); {
		q := bytes.IndexByte(b[j:], '"')
		if q < 0 {
			break
		}
		j += q
		// The quote ends the string unless an odd number of backslashes
		// precede it.
		n := 0
		for k := j - 1; k > i && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return j + 1, nil
		}
		j++
	}
	return 0, ErrMalformed
}

// EndOfValue returns the index just after the JSON value starting at b[i].
func EndOfValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, ErrMalformed
	}
	switch b[i] {
	case '"':
		return EndOfString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := EndOfString(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, ErrMalformed
	}
	// A number or a literal ends at a delimiter or the end of the input.
	j := i
	for j < len(b) && !isDelim(b[j]) {
		j++
	}
	if j == i {
		return 0, ErrMalformed
	}
	return j, nil
}

// isDelim reports whether c ends a number or literal.
func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}
