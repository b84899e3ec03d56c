// Package jsontree parses JSON into a tree that keeps object members in
// their input order and each value's raw bytes, which encoding/json's map
// decoding does not: the validator (fhir/r4) reports problems at element
// paths in document order, and de-identification (deid) rewrites a resource
// and writes it back in the order it came.
package jsontree

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth bounds nesting so hostile input cannot exhaust the stack.
const MaxDepth = 256

// Kind is the JSON kind of a value.
type Kind uint8

const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

func (k Kind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

// Node is a parsed JSON value. Object members keep their input order and
// raw holds the exact input bytes of the value.
type Node struct {
	Kind    Kind
	Raw     []byte
	Str     string // decoded string, or "true"/"false"
	Members []Member
	Items   []Node
}

// Member is one name/value pair of an object.
type Member struct {
	Key string
	Val Node
}

// Get returns the Member named key, or nil.
func (n *Node) Get(key string) *Node {
	for i := range n.Members {
		if n.Members[i].Key == key {
			return &n.Members[i].Val
		}
	}
	return nil
}

// parser is a small strict JSON (RFC 8259) parser that keeps Member order
// and raw bytes, which encoding/json's map decoding does not.
type parser struct {
	data []byte
	pos  int
}

var ErrSyntax = errors.New("invalid JSON")

// Parse parses one JSON value filling the whole input.
func Parse(data []byte) (Node, error) {
	p := parser{data: data}
	n, err := p.value(0)
	if err != nil {
		return Node{}, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return Node{}, p.errorf("unexpected data after the top-level value")
	}
	return n, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSyntax, p.pos, fmt.Sprintf(format, args...))
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (Node, error) {
	if depth > MaxDepth {
		return Node{}, p.errorf("nesting deeper than %d", MaxDepth)
	}
	p.skipSpace()
	if p.pos >= len(p.data) {
		return Node{}, p.errorf("unexpected end of input")
	}
	start := p.pos
	var n Node
	var err error
	switch c := p.data[p.pos]; {
	case c == '{':
		n, err = p.object(depth)
	case c == '[':
		n, err = p.array(depth)
	case c == '"':
		var s string
		s, err = p.string()
		n = Node{Kind: String, Str: s}
	case c == 't':
		n, err = p.literal("true", Bool)
	case c == 'f':
		n, err = p.literal("false", Bool)
	case c == 'n':
		n, err = p.literal("null", Null)
	case c == '-' || (c >= '0' && c <= '9'):
		n, err = Node{Kind: Number}, p.number()
	default:
		return Node{}, p.errorf("unexpected character %q", c)
	}
	if err != nil {
		return Node{}, err
	}
	n.Raw = p.data[start:p.pos]
	return n, nil
}

func (p *parser) literal(word string, k Kind) (Node, error) {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return Node{}, p.errorf("invalid literal")
	}
	p.pos += len(word)
	return Node{Kind: k, Str: word}, nil
}

func (p *parser) object(depth int) (Node, error) {
	p.pos++ // {
	n := Node{Kind: Object}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return n, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return Node{}, p.errorf("expected a Member name")
		}
		key, err := p.string()
		if err != nil {
			return Node{}, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return Node{}, p.errorf("expected ':'")
		}
		p.pos++
		v, err := p.value(depth + 1)
		if err != nil {
			return Node{}, err
		}
		n.Members = append(n.Members, Member{Key: key, Val: v})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return Node{}, p.errorf("unterminated object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return n, nil
		default:
			return Node{}, p.errorf("expected ',' or '}'")
		}
	}
}

func (p *parser) array(depth int) (Node, error) {
	p.pos++ // [
	n := Node{Kind: Array}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return n, nil
	}
	for {
		v, err := p.value(depth + 1)
		if err != nil {
			return Node{}, err
		}
		n.Items = append(n.Items, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return Node{}, p.errorf("unterminated array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return n, nil
		default:
			return Node{}, p.errorf("expected ',' or ']'")
		}
	}
}

// number checks the JSON number grammar; the text stays in raw.
func (p *parser) number() error {
	d := p.data
	if p.pos < len(d) && d[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(d) && d[p.pos] == '0':
		p.pos++
	case p.pos < len(d) && d[p.pos] >= '1' && d[p.pos] <= '9':
		p.digits()
	default:
		return p.errorf("invalid number")
	}
	if p.pos < len(d) && d[p.pos] == '.' {
		p.pos++
		if p.digits() == 0 {
			return p.errorf("invalid number")
		}
	}
	if p.pos < len(d) && (d[p.pos] == 'e' || d[p.pos] == 'E') {
		p.pos++
		if p.pos < len(d) && (d[p.pos] == '+' || d[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return p.errorf("invalid number")
		}
	}
	return nil
}

func (p *parser) digits() int {
	start := p.pos
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
	}
	return p.pos - start
}

// string parses a string literal and returns its decoded value.
func (p *parser) string() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	d := p.data
	ascii := true
	for p.pos < len(d) {
		c := d[p.pos]
		switch {
		case c == '"':
			s := d[start:p.pos]
			p.pos++
			if !ascii && !utf8.Valid(s) {
				return "", p.errorf("invalid UTF-8 in string")
			}
			return string(s), nil
		case c == '\\':
			return p.escapedString(start)
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c >= 0x80:
			ascii = false
		}
		p.pos++
	}
	return "", p.errorf("unterminated string")
}

// escapedString continues a string that holds escapes, from start.
func (p *parser) escapedString(start int) (string, error) {
	d := p.data
	buf := append([]byte(nil), d[start:p.pos]...)
	for p.pos < len(d) {
		c := d[p.pos]
		switch {
		case c == '"':
			p.pos++
			if !utf8.Valid(buf) {
				return "", p.errorf("invalid UTF-8 in string")
			}
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(d) {
			break
		}
		e := d[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, err := p.unicodeEscape()
			if err != nil {
				return "", err
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.errorf("invalid escape \\%c", e)
		}
	}
	return "", p.errorf("unterminated string")
}

// unicodeEscape reads the hex digits of \uXXXX (and a following low
// surrogate escape when needed).
func (p *parser) unicodeEscape() (rune, error) {
	r, ok := p.hex4()
	if !ok {
		return 0, p.errorf("invalid \\u escape")
	}
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
		save := p.pos
		p.pos += 2
		if r2, ok := p.hex4(); ok {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, nil
			}
		}
		p.pos = save
	}
	return utf8.RuneError, nil
}

func (p *parser) hex4() (rune, bool) {
	if len(p.data)-p.pos < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 16)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(v), true
}
