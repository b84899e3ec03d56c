package deid

import (
	"encoding/json"
	"errors"
	"fmt"
)

// kind is the JSON kind of a node.
type kind uint8

const (
	jNull kind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// node is one parsed JSON value. Objects keep their member order so the
// output reads like the input; numbers and booleans keep their source
// text in str.
type node struct {
	kind    kind
	str     string
	members []member
	items   []node
}

// member is one name/value pair of an object.
type member struct {
	key string
	val node
}

// get returns the value of the first member named key, or nil.
func (n *node) get(key string) *node {
	for i := range n.members {
		if n.members[i].key == key {
			return &n.members[i].val
		}
	}
	return nil
}

// getString returns the string value of member key, or "".
func (n *node) getString(key string) string {
	if v := n.get(key); v != nil && v.kind == jString {
		return v.str
	}
	return ""
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 256

// errSyntax is wrapped by every parse error.
var errSyntax = errors.New("invalid JSON")

// parser is a small recursive-descent JSON parser producing nodes.
type parser struct {
	b   []byte
	pos int
}

// parseJSON parses one JSON value that must be the whole of b (apart from
// white space).
func parseJSON(b []byte) (node, error) {
	p := parser{b: b}
	n, err := p.value(0)
	if err != nil {
		return node{}, err
	}
	p.space()
	if p.pos != len(p.b) {
		return node{}, p.fail("unexpected data after the value")
	}
	return n, nil
}

func (p *parser) fail(what string) error {
	return fmt.Errorf("%w at byte %d: %s", errSyntax, p.pos, what)
}

func (p *parser) space() {
	for p.pos < len(p.b) {
		switch p.b[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (node, error) {
	if depth > maxDepth {
		return node{}, p.fail("nesting too deep")
	}
	p.space()
	if p.pos >= len(p.b) {
		return node{}, p.fail("unexpected end of input")
	}
	switch c := p.b[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.string()
		return node{kind: jString, str: s}, err
	case c == 't':
		return p.literal("true", jBool)
	case c == 'f':
		return p.literal("false", jBool)
	case c == 'n':
		return p.literal("null", jNull)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return node{}, p.fail("unexpected character")
}

func (p *parser) literal(word string, k kind) (node, error) {
	if len(p.b)-p.pos < len(word) || string(p.b[p.pos:p.pos+len(word)]) != word {
		return node{}, p.fail("invalid literal")
	}
	p.pos += len(word)
	return node{kind: k, str: word}, nil
}

func (p *parser) object(depth int) (node, error) {
	p.pos++ // {
	n := node{kind: jObject}
	p.space()
	if p.pos < len(p.b) && p.b[p.pos] == '}' {
		p.pos++
		return n, nil
	}
	for {
		p.space()
		if p.pos >= len(p.b) || p.b[p.pos] != '"' {
			return node{}, p.fail("expected a member name")
		}
		key, err := p.string()
		if err != nil {
			return node{}, err
		}
		p.space()
		if p.pos >= len(p.b) || p.b[p.pos] != ':' {
			return node{}, p.fail("expected ':'")
		}
		p.pos++
		v, err := p.value(depth + 1)
		if err != nil {
			return node{}, err
		}
		n.members = append(n.members, member{key: key, val: v})
		if done, err := p.next('}'); done || err != nil {
			return n, err
		}
	}
}

func (p *parser) array(depth int) (node, error) {
	p.pos++ // [
	n := node{kind: jArray}
	p.space()
	if p.pos < len(p.b) && p.b[p.pos] == ']' {
		p.pos++
		return n, nil
	}
	for {
		v, err := p.value(depth + 1)
		if err != nil {
			return node{}, err
		}
		n.items = append(n.items, v)
		if done, err := p.next(']'); done || err != nil {
			return n, err
		}
	}
}

// next consumes a ',' (more to come) or the closing byte (done).
func (p *parser) next(closing byte) (done bool, err error) {
	p.space()
	if p.pos >= len(p.b) {
		return false, p.fail("unexpected end of input")
	}
	switch p.b[p.pos] {
	case ',':
		p.pos++
		return false, nil
	case closing:
		p.pos++
		return true, nil
	}
	return false, p.fail("expected ',' or '" + string(closing) + "'")
}

// string reads a JSON string starting at its opening quote. Strings
// without escapes are copied directly; others are decoded by
// encoding/json, which implements the escape rules exactly.
func (p *parser) string() (string, error) {
	start := p.pos
	p.pos++
	escaped := false
	for p.pos < len(p.b) {
		switch c := p.b[p.pos]; {
		case c == '"':
			p.pos++
			if !escaped {
				return string(p.b[start+1 : p.pos-1]), nil
			}
			var s string
			if err := json.Unmarshal(p.b[start:p.pos], &s); err != nil {
				return "", fmt.Errorf("%w at byte %d: %v", errSyntax, start, err)
			}
			return s, nil
		case c == '\\':
			escaped = true
			p.pos += 2
		case c < 0x20:
			return "", p.fail("control character in string")
		default:
			p.pos++
		}
	}
	return "", p.fail("unterminated string")
}

// number reads a JSON number, checking its grammar, and keeps its text.
func (p *parser) number() (node, error) {
	start := p.pos
	if p.b[p.pos] == '-' {
		p.pos++
	}
	if p.digits() == 0 {
		return node{}, p.fail("invalid number")
	}
	if p.b[start] == '0' || (p.b[start] == '-' && p.b[start+1] == '0') {
		if p.pos-start > 1+boolInt(p.b[start] == '-') {
			return node{}, p.fail("invalid number: leading zero")
		}
	}
	if p.pos < len(p.b) && p.b[p.pos] == '.' {
		p.pos++
		if p.digits() == 0 {
			return node{}, p.fail("invalid number")
		}
	}
	if p.pos < len(p.b) && (p.b[p.pos] == 'e' || p.b[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.b) && (p.b[p.pos] == '+' || p.b[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return node{}, p.fail("invalid number")
		}
	}
	return node{kind: jNumber, str: string(p.b[start:p.pos])}, nil
}

func (p *parser) digits() int {
	n := 0
	for p.pos < len(p.b) && p.b[p.pos] >= '0' && p.b[p.pos] <= '9' {
		p.pos++
		n++
	}
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
