package store

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// compactJSON appends src without insignificant whitespace to dst,
// validating it as one JSON value (RFC 8259, UTF-8). For valid input the
// result equals json.Compact's; it exists because this is the hot path of
// every import, and a direct scanner is several times faster.
func compactJSON(dst, src []byte) ([]byte, error) {
	if !utf8.Valid(src) {
		return nil, errors.New("invalid UTF-8")
	}
	c := compactor{src: src, dst: dst}
	c.ws()
	if err := c.value(0); err != nil {
		return nil, err
	}
	c.ws()
	if c.i != len(c.src) {
		return nil, c.errorf("unexpected data after the top-level value")
	}
	return c.dst, nil
}

// maxDepth bounds nesting, so hostile input cannot exhaust the stack.
const maxDepth = 1000

type compactor struct {
	src, dst []byte
	i        int
}

func (c *compactor) errorf(format string, args ...any) error {
	return fmt.Errorf("JSON syntax error at offset %d: %s", c.i, fmt.Sprintf(format, args...))
}

func (c *compactor) ws() {
	for c.i < len(c.src) {
		switch c.src[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

func (c *compactor) value(depth int) error {
	if c.i >= len(c.src) {
		return c.errorf("unexpected end of input")
	}
	switch ch := c.src[c.i]; {
	case ch == '{':
		return c.container(depth, '}', true)
	case ch == '[':
		return c.container(depth, ']', false)
	case ch == '"':
		return c.str()
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	case ch == '-' || ch >= '0' && ch <= '9':
		return c.number()
	default:
		return c.errorf("invalid character %q looking for a value", ch)
	}
}

// container compacts an object (members) or an array.
func (c *compactor) container(depth int, end byte, members bool) error {
	if depth >= maxDepth {
		return c.errorf("nesting deeper than %d", maxDepth)
	}
	c.dst = append(c.dst, c.src[c.i])
	c.i++
	c.ws()
	if c.i < len(c.src) && c.src[c.i] == end {
		c.dst = append(c.dst, end)
		c.i++
		return nil
	}
	for {
		if members {
			if c.i >= len(c.src) || c.src[c.i] != '"' {
				return c.errorf("expected a member name")
			}
			if err := c.str(); err != nil {
				return err
			}
			c.ws()
			if c.i >= len(c.src) || c.src[c.i] != ':' {
				return c.errorf("expected ':' after a member name")
			}
			c.dst = append(c.dst, ':')
			c.i++
			c.ws()
		}
		if err := c.value(depth + 1); err != nil {
			return err
		}
		c.ws()
		if c.i >= len(c.src) {
			return c.errorf("unexpected end of input")
		}
		switch c.src[c.i] {
		case ',':
			c.dst = append(c.dst, ',')
			c.i++
			c.ws()
		case end:
			c.dst = append(c.dst, end)
			c.i++
			return nil
		default:
			return c.errorf("expected ',' or %q", end)
		}
	}
}

// str copies a string, checking its escapes and control characters.
func (c *compactor) str() error {
	start := c.i
	c.i++
	for c.i < len(c.src) {
		ch := c.src[c.i]
		switch {
		case ch == '"':
			c.i++
			c.dst = append(c.dst, c.src[start:c.i]...)
			return nil
		case ch == '\\':
			if err := c.escape(); err != nil {
				return err
			}
		case ch < 0x20:
			return c.errorf("control character in string")
		default:
			c.i++
		}
	}
	return c.errorf("unterminated string")
}

func (c *compactor) escape() error {
	if c.i+1 >= len(c.src) {
		return c.errorf("unterminated escape")
	}
	switch c.src[c.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		c.i += 2
		return nil
	case 'u':
		if c.i+6 > len(c.src) {
			return c.errorf("short \\u escape")
		}
		for _, h := range c.src[c.i+2 : c.i+6] {
			if !isHex(h) {
				return c.errorf("invalid \\u escape")
			}
		}
		c.i += 6
		return nil
	}
	return c.errorf("invalid escape")
}

func isHex(h byte) bool {
	return h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F'
}

func (c *compactor) literal(lit string) error {
	if len(c.src)-c.i < len(lit) || string(c.src[c.i:c.i+len(lit)]) != lit {
		return c.errorf("invalid literal")
	}
	c.dst = append(c.dst, lit...)
	c.i += len(lit)
	return nil
}

// number copies -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (c *compactor) number() error {
	start := c.i
	if c.src[c.i] == '-' {
		c.i++
	}
	switch {
	case c.i < len(c.src) && c.src[c.i] == '0':
		c.i++
	case c.digits() == 0:
		return c.errorf("invalid number")
	}
	if c.i < len(c.src) && c.src[c.i] == '.' {
		c.i++
		if c.digits() == 0 {
			return c.errorf("invalid number")
		}
	}
	if c.i < len(c.src) && (c.src[c.i] == 'e' || c.src[c.i] == 'E') {
		c.i++
		if c.i < len(c.src) && (c.src[c.i] == '+' || c.src[c.i] == '-') {
			c.i++
		}
		if c.digits() == 0 {
			return c.errorf("invalid number")
		}
	}
	c.dst = append(c.dst, c.src[start:c.i]...)
	return nil
}

func (c *compactor) digits() int {
	n := 0
	for c.i < len(c.src) && c.src[c.i] >= '0' && c.src[c.i] <= '9' {
		c.i++
		n++
	}
	return n
}
