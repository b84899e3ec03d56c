package fhirpath

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds the nesting of decoded JSON so hostile input cannot
// exhaust the stack.
const maxDepth = 512

// Decoder decodes JSON documents into [Node] trees. It reuses its memory
// between documents: the tree returned by Decode is valid only until the
// next call. A Decoder is not safe for concurrent use.
type Decoder struct {
	src    string
	pos    int
	depth  int
	nodes  arena[Node]
	fields arena[Field]
	items  arena[*Node]
	fstack []Field
	istack []*Node
}

// Decode decodes one JSON value. The strings in the result are copied from
// data, so data may be modified afterwards.
func (d *Decoder) Decode(data []byte) (*Node, error) {
	return d.decode(string(data))
}

// DecodeBorrowed is like Decode but the strings in the result share memory
// with data: the caller must not modify data while it uses the result.
func (d *Decoder) DecodeBorrowed(data []byte) (*Node, error) {
	if len(data) == 0 {
		return d.decode("")
	}
	return d.decode(unsafe.String(&data[0], len(data)))
}

func (d *Decoder) decode(src string) (*Node, error) {
	d.src, d.pos, d.depth = src, 0, 0
	d.nodes.reset()
	d.fields.reset()
	d.items.reset()
	d.fstack = d.fstack[:0]
	d.istack = d.istack[:0]
	n, err := d.value()
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos != len(d.src) {
		return nil, d.errorf("unexpected data after the JSON value")
	}
	return n, nil
}

func (d *Decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("fhirpath: json at offset %d: %s", d.pos, fmt.Sprintf(format, args...))
}

func (d *Decoder) skipSpace() {
	// Compact JSON has no spaces: test that case first and keep d.pos in
	// a register while looping.
	if d.pos >= len(d.src) || d.src[d.pos] > ' ' {
		return
	}
	i := d.pos
	for i < len(d.src) && (d.src[i] == ' ' || d.src[i] == '\t' || d.src[i] == '\n' || d.src[i] == '\r') {
		i++
	}
	d.pos = i
}

func (d *Decoder) value() (*Node, error) {
	d.skipSpace()
	if d.pos >= len(d.src) {
		return nil, d.errorf("unexpected end of input")
	}
	n := d.nodes.one()
	switch c := d.src[d.pos]; {
	case c == '{':
		return n, d.object(n)
	case c == '[':
		return n, d.array(n)
	case c == '"':
		s, err := d.str()
		*n = Node{Kind: KindString, Str: s}
		return n, err
	case c == '-' || (c >= '0' && c <= '9'):
		s, err := d.number()
		*n = Node{Kind: KindNumber, Str: s}
		return n, err
	default:
		return n, d.literal(n)
	}
}

func (d *Decoder) literal(n *Node) error {
	rest := d.src[d.pos:]
	switch {
	case len(rest) >= 4 && rest[:4] == "true":
		*n = Node{Kind: KindBool, Bool: true}
		d.pos += 4
	case len(rest) >= 5 && rest[:5] == "false":
		*n = Node{Kind: KindBool}
		d.pos += 5
	case len(rest) >= 4 && rest[:4] == "null":
		*n = Node{Kind: KindNull}
		d.pos += 4
	default:
		return d.errorf("invalid character %q", rest[0])
	}
	return nil
}

func (d *Decoder) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return d.errorf("nesting deeper than %d", maxDepth)
	}
	return nil
}

func (d *Decoder) object(n *Node) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++ // {
	mark := len(d.fstack)
	d.skipSpace()
	if d.pos < len(d.src) && d.src[d.pos] == '}' {
		d.pos++
	} else {
		for {
			d.skipSpace()
			if d.pos >= len(d.src) || d.src[d.pos] != '"' {
				return d.errorf("expected a field name")
			}
			name, err := d.str()
			if err != nil {
				return err
			}
			d.skipSpace()
			if d.pos >= len(d.src) || d.src[d.pos] != ':' {
				return d.errorf("expected ':'")
			}
			d.pos++
			v, err := d.value()
			if err != nil {
				return err
			}
			d.fstack = append(d.fstack, Field{Name: name, Value: v})
			if done, err := d.separator('}'); err != nil || done {
				if err != nil {
					return err
				}
				break
			}
		}
	}
	fs := d.fields.alloc(len(d.fstack) - mark)
	copy(fs, d.fstack[mark:])
	d.fstack = d.fstack[:mark]
	*n = Node{Kind: KindObject, Fields: fs}
	d.depth--
	return nil
}

// separator consumes ',' (returning false) or the closing byte (returning true).
func (d *Decoder) separator(closing byte) (bool, error) {
	d.skipSpace()
	if d.pos >= len(d.src) {
		return false, d.errorf("unexpected end of input")
	}
	switch d.src[d.pos] {
	case ',':
		d.pos++
		return false, nil
	case closing:
		d.pos++
		return true, nil
	}
	return false, d.errorf("expected ',' or %q", closing)
}

func (d *Decoder) array(n *Node) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++ // [
	mark := len(d.istack)
	d.skipSpace()
	if d.pos < len(d.src) && d.src[d.pos] == ']' {
		d.pos++
	} else {
		for {
			v, err := d.value()
			if err != nil {
				return err
			}
			d.istack = append(d.istack, v)
			done, err := d.separator(']')
			if err != nil {
				return err
			}
			if done {
				break
			}
		}
	}
	is := d.items.alloc(len(d.istack) - mark)
	copy(is, d.istack[mark:])
	d.istack = d.istack[:mark]
	*n = Node{Kind: KindArray, Items: is}
	d.depth--
	return nil
}

func (d *Decoder) number() (string, error) {
	start := d.pos
	s := d.src
	i := d.pos
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	first := i
	if n := digits(); n == 0 || (n > 1 && s[first] == '0') {
		d.pos = i
		return "", d.errorf("invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			d.pos = i
			return "", d.errorf("invalid number")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			d.pos = i
			return "", d.errorf("invalid number")
		}
	}
	d.pos = i
	return s[start:i], nil
}

// str reads a JSON string starting at the opening quote.
func (d *Decoder) str() (string, error) {
	d.pos++
	start := d.pos
	if j := plainEnd(d.src, start); j < len(d.src) && d.src[j] == '"' {
		// The common case: no escape and no control character.
		d.pos = j + 1
		return d.src[start:j], nil
	}
	return d.strSlow(start)
}

// strSlow is str for strings with an escape or a control character, or
// without a closing quote; it reports the errors in the order str always
// has.
func (d *Decoder) strSlow(start int) (string, error) {
	rest := d.src[start:]
	end := strings.IndexByte(rest, '"')
	if end < 0 {
		d.pos = len(d.src)
		return "", d.errorf("unterminated string")
	}
	seg := rest[:end]
	if strings.IndexByte(seg, '\\') >= 0 {
		return d.escaped(start)
	}
	for i := 0; i < len(seg); i++ {
		if seg[i] < 0x20 {
			d.pos = start + i
			return "", d.errorf("control character in string")
		}
	}
	d.pos = start + end + 1
	return seg, nil
}

// plainEnd returns the index of the first '"', '\\' or control character
// at or after i, or len(s). It reads a word at a time: for y = x ^ c…c,
// (y - 0x01…01) & ^y & 0x80…80 marks the first byte of x equal to c
// exactly (marks above it may be spurious), and (x - 0x20…20) & ^x &
// 0x80…80 the first byte below 0x20; so the lowest mark of all three is
// exact.
func plainEnd(s string, i int) int {
	const ones, hi = 0x0101010101010101, 0x8080808080808080
	const quotes, backslashes, ctl = 0x2222222222222222, 0x5c5c5c5c5c5c5c5c, 0x2020202020202020
	for ; i+8 <= len(s); i += 8 {
		x := load64(s, i)
		q, b := x^quotes, x^backslashes
		if m := ((q-ones)&^q | (b-ones)&^b | (x-ctl)&^x) & hi; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}

// load64 reads 8 bytes of s at i, little-endian.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// escaped decodes a string that contains escapes, starting at start.
func (d *Decoder) escaped(start int) (string, error) {
	s := d.src
	buf := make([]byte, 0, 32)
	for i := start; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(buf), nil
		case c < 0x20:
			d.pos = i
			return "", d.errorf("control character in string")
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			break
		}
		e := s[i+1]
		i += 2
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
			r, n, ok := decodeU(s[i:])
			if !ok {
				d.pos = i
				return "", d.errorf("invalid \\u escape")
			}
			i += n
			buf = utf8.AppendRune(buf, r)
		default:
			d.pos = i
			return "", d.errorf("invalid escape %q", e)
		}
	}
	d.pos = len(s)
	return "", d.errorf("unterminated string")
}

// decodeU decodes the hex digits after \u, joining surrogate pairs. It
// returns the rune and the number of bytes consumed.
func decodeU(s string) (rune, int, bool) {
	if len(s) < 4 {
		return 0, 0, false
	}
	v, err := strconv.ParseUint(s[:4], 16, 32)
	if err != nil {
		return 0, 0, false
	}
	r := rune(v)
	if utf16.IsSurrogate(r) && len(s) >= 10 && s[4] == '\\' && s[5] == 'u' {
		if v2, err := strconv.ParseUint(s[6:10], 16, 32); err == nil {
			if dec := utf16.DecodeRune(r, rune(v2)); dec != utf8.RuneError {
				return dec, 10, true
			}
		}
	}
	if utf16.IsSurrogate(r) {
		r = utf8.RuneError
	}
	return r, 4, true
}

// arena hands out slices from reusable chunks.
type arena[T any] struct {
	chunks [][]T
	ci     int
	off    int
}

const chunkSize = 256

func (a *arena[T]) reset() { a.ci, a.off = 0, 0 }

func (a *arena[T]) one() *T {
	s := a.alloc(1)
	return &s[0]
}

func (a *arena[T]) alloc(n int) []T {
	if n == 0 {
		return nil
	}
	for {
		if a.ci == len(a.chunks) {
			a.chunks = append(a.chunks, make([]T, max(chunkSize, n)))
		}
		c := a.chunks[a.ci]
		if a.off+n <= len(c) {
			s := c[a.off : a.off+n : a.off+n]
			a.off += n
			return s
		}
		a.ci++
		a.off = 0
	}
}
