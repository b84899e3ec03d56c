package normalize

import (
	"encoding/json"
	"fmt"
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 256

// scanner is a strict RFC 8259 JSON reader over data that reports byte
// offsets instead of building a tree.
type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: invalid JSON at offset %d: %s", ErrInvalid, s.pos, fmt.Sprintf(format, args...))
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

// expect consumes byte c after optional whitespace.
func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.errorf("expected %q", c)
	}
	s.pos++
	return nil
}

// str reads a string at pos and returns its decoded value and its
// offsets (start at the opening quote, end after the closing one).
func (s *scanner) str() (val string, start, end int, err error) {
	raw, start, end, err := s.strBytes()
	return string(raw), start, end, err
}

// strBytes is str returning the value as bytes, which alias data when the
// string has no escapes.
func (s *scanner) strBytes() (val []byte, start, end int, err error) {
	start, end, escaped, err := s.scanString()
	if err != nil {
		return nil, 0, 0, err
	}
	if !escaped {
		return s.data[start+1 : end-1], start, end, nil
	}
	var v string
	if err := json.Unmarshal(s.data[start:end], &v); err != nil {
		return nil, 0, 0, s.errorf("bad string: %v", err)
	}
	return []byte(v), start, end, nil
}

// scanString validates the string at pos without decoding it.
func (s *scanner) scanString() (start, end int, escaped bool, err error) {
	if s.peek() != '"' {
		return 0, 0, false, s.errorf("expected a string")
	}
	start = s.pos
	for i := start + 1; i < len(s.data); i++ {
		switch c := s.data[i]; {
		case c == '"':
			s.pos = i + 1
			return start, s.pos, escaped, nil
		case c < 0x20:
			s.pos = i
			return 0, 0, false, s.errorf("control character in string")
		case c == '\\':
			escaped = true
			if err := s.escape(i + 1); err != nil {
				return 0, 0, false, err
			}
			if s.data[i+1] == 'u' {
				i += 4
			}
			i++
		}
	}
	s.pos = len(s.data)
	return 0, 0, false, s.errorf("unterminated string")
}

// escape checks the escape sequence whose letter is at i.
func (s *scanner) escape(i int) error {
	if i >= len(s.data) {
		s.pos = i
		return s.errorf("unterminated string")
	}
	switch s.data[i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return nil
	case 'u':
		if i+4 < len(s.data) && isHex(s.data[i+1]) && isHex(s.data[i+2]) && isHex(s.data[i+3]) && isHex(s.data[i+4]) {
			return nil
		}
	}
	s.pos = i
	return s.errorf("bad escape")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// skip reads and validates any value.
func (s *scanner) skip(depth int) error {
	if depth > maxDepth {
		return s.errorf("nesting deeper than %d", maxDepth)
	}
	switch c := s.peek(); {
	case c == '{':
		return s.members(func([]byte) error { return s.skip(depth + 1) })
	case c == '[':
		return s.items(func(int) error { return s.skip(depth + 1) })
	case c == '"':
		_, _, _, err := s.scanString()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return s.errorf("expected a value")
}

// members reads an object, calling f after each key and colon to read
// the member's value.
func (s *scanner) members(f func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		key, _, _, err := s.strBytes()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := f(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.errorf("expected ',' or '}'")
		}
	}
}

// items reads an array, calling f to read each item.
func (s *scanner) items(f func(i int) error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for i := 0; ; i++ {
		if err := f(i); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.errorf("expected ',' or ']'")
		}
	}
}

func (s *scanner) literal(lit string) error {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return s.errorf("bad literal")
	}
	s.pos += len(lit)
	return nil
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) number() error {
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = digitsFrom(d, i)
	default:
		s.pos = i
		return s.errorf("bad number")
	}
	if i < len(d) && d[i] == '.' {
		if j := digitsFrom(d, i+1); j > i+1 {
			i = j
		} else {
			s.pos = i
			return s.errorf("bad number")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digitsFrom(d, i)
		if j == i {
			s.pos = i
			return s.errorf("bad number")
		}
		i = j
	}
	s.pos = i
	return nil
}

func digitsFrom(d []byte, i int) int {
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}
