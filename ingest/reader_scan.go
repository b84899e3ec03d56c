package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// maxDepth bounds the nesting of arrays and objects, as encoding/json does,
// so a hostile line cannot exhaust the stack.
const maxDepth = 10000

// scanError is a JSON syntax error at a byte offset of the scanned value.
type scanError struct {
	off int
	msg string
}

// strSafe[c] is true for bytes that may appear unescaped inside a JSON
// string without ending it (bytes >= 0x80 are checked as UTF-8 elsewhere).
var strSafe = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanner validates one JSON value held in memory in a single pass, and
// picks out the raw values of a few top-level object members on the way.
// It is reused between values to avoid allocation.
type scanner struct {
	data    []byte
	pos     int
	compact bool     // no whitespace was found between tokens
	names   []string // top-level member names to capture
	vals    [][]byte // raw values of names (nil when absent), trimmed
}

// newScanner returns a scanner that captures the top-level members names.
func newScanner(names ...string) *scanner {
	return &scanner{names: names, vals: make([][]byte, len(names))}
}

// scan validates data as exactly one JSON value surrounded by optional
// whitespace. It returns the first byte of the value ('{', '[', '"', 't',
// 'f', 'n', '-' or a digit). After it returns, s.vals holds the captured
// members (only meaningful when the value is an object and err is nil).
func (s *scanner) scan(data []byte) (kind byte, err *scanError) {
	s.data, s.pos, s.compact = data, 0, true
	clear(s.vals)
	s.skipWS()
	s.compact = true // leading and trailing whitespace is not part of the value
	if s.pos >= len(s.data) {
		return 0, s.eof()
	}
	kind = s.data[s.pos]
	if err := s.value(0); err != nil {
		return kind, err
	}
	compact := s.compact
	s.skipWS()
	s.compact = compact
	if s.pos < len(s.data) {
		return kind, s.errf("unexpected data after the JSON value")
	}
	return kind, nil
}

// prefix validates the JSON value at the start of data, ignoring whatever
// follows it.
func (s *scanner) prefix(data []byte) *scanError {
	s.data, s.pos, s.compact = data, 0, true
	return s.value(0)
}

func (s *scanner) eof() *scanError {
	return &scanError{off: len(s.data), msg: "unexpected end of input"}
}

func (s *scanner) errf(format string, args ...any) *scanError {
	return &scanError{off: s.pos, msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) badChar(context string) *scanError {
	return s.errf("invalid character %q %s", s.data[s.pos], context)
}

func (s *scanner) skipWS() {
	start := s.pos
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			if s.pos != start {
				s.compact = false
			}
			return
		}
	}
	if s.pos != start {
		s.compact = false
	}
}

func (s *scanner) value(depth int) *scanError {
	if s.pos >= len(s.data) {
		return s.eof()
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(depth + 1)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		return s.str()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	default:
		return s.badChar("looking for beginning of value")
	}
}

func (s *scanner) object(depth int) *scanError {
	if depth > maxDepth {
		return s.errf("exceeded max nesting depth %d", maxDepth)
	}
	s.pos++ // '{'
	s.skipWS()
	if s.pos >= len(s.data) {
		return s.eof()
	}
	if s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		if s.data[s.pos] != '"' {
			return s.badChar("looking for beginning of object key string")
		}
		kstart := s.pos
		if err := s.str(); err != nil {
			return err
		}
		key := s.data[kstart:s.pos]
		s.skipWS()
		if s.pos >= len(s.data) {
			return s.eof()
		}
		if s.data[s.pos] != ':' {
			return s.badChar("after object key")
		}
		s.pos++
		s.skipWS()
		vstart := s.pos
		if err := s.value(depth); err != nil {
			return err
		}
		if depth == 1 && len(s.names) > 0 {
			s.capture(key, s.data[vstart:s.pos])
		}
		s.skipWS()
		if s.pos >= len(s.data) {
			return s.eof()
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipWS()
			if s.pos >= len(s.data) {
				return s.eof()
			}
		case '}':
			s.pos++
			return nil
		default:
			return s.badChar("after object key:value pair")
		}
	}
}

// capture records val if the quoted key is one of s.names.
func (s *scanner) capture(quotedKey, val []byte) {
	key := quotedKey[1 : len(quotedKey)-1]
	for i, name := range s.names {
		if string(key) == name {
			s.vals[i] = val
			return
		}
	}
	if bytes.IndexByte(key, '\\') >= 0 {
		var k string
		if json.Unmarshal(quotedKey, &k) == nil {
			for i, name := range s.names {
				if k == name {
					s.vals[i] = val
					return
				}
			}
		}
	}
}

func (s *scanner) array(depth int) *scanError {
	if depth > maxDepth {
		return s.errf("exceeded max nesting depth %d", maxDepth)
	}
	s.pos++ // '['
	s.skipWS()
	if s.pos >= len(s.data) {
		return s.eof()
	}
	if s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		if err := s.value(depth); err != nil {
			return err
		}
		s.skipWS()
		if s.pos >= len(s.data) {
			return s.eof()
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipWS()
		case ']':
			s.pos++
			return nil
		default:
			return s.badChar("after array element")
		}
	}
}

func (s *scanner) str() *scanError {
	s.pos++ // opening quote
	for {
		for s.pos < len(s.data) && strSafe[s.data[s.pos]] {
			s.pos++
		}
		if s.pos >= len(s.data) {
			return s.eof()
		}
		switch c := s.data[s.pos]; c {
		case '"':
			s.pos++
			return nil
		case '\\':
			if err := s.escape(); err != nil {
				return err
			}
		default:
			return s.badChar("in string literal")
		}
	}
}

func (s *scanner) escape() *scanError {
	s.pos++ // backslash
	if s.pos >= len(s.data) {
		return s.eof()
	}
	switch s.data[s.pos] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos++
		return nil
	case 'u':
		s.pos++
		for range 4 {
			if s.pos >= len(s.data) {
				return s.eof()
			}
			if !isHex(s.data[s.pos]) {
				return s.badChar("in \\u hexadecimal character escape")
			}
			s.pos++
		}
		return nil
	default:
		return s.badChar("in string escape code")
	}
}

func (s *scanner) literal(word string) *scanError {
	for i := 0; i < len(word); i++ {
		if s.pos >= len(s.data) {
			return s.eof()
		}
		if s.data[s.pos] != word[i] {
			return s.badChar("in literal " + word)
		}
		s.pos++
	}
	return nil
}

// number follows the JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() *scanError {
	if s.data[s.pos] == '-' {
		s.pos++
	}
	if s.pos >= len(s.data) {
		return s.eof()
	}
	switch c := s.data[s.pos]; {
	case c == '0':
		s.pos++
	case c >= '1' && c <= '9':
		s.digits()
	default:
		return s.badChar("in numeric literal")
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if err := s.someDigits(); err != nil {
			return err
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if err := s.someDigits(); err != nil {
			return err
		}
	}
	return nil
}

func (s *scanner) someDigits() *scanError {
	if s.pos >= len(s.data) {
		return s.eof()
	}
	if c := s.data[s.pos]; c < '0' || c > '9' {
		return s.badChar("in numeric literal")
	}
	s.digits()
	return nil
}

func (s *scanner) digits() {
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
