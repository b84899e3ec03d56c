package fhirpath

import "strconv"

// Kind is the JSON kind of a [Node].
type Kind uint8

// The JSON kinds.
const (
	KindNull Kind = iota
	KindBool
	KindNumber
	KindString
	KindObject
	KindArray
)

// Node is a decoded JSON value. Nodes made by a [Decoder] live in its arena
// and are valid until the next call to Decode on the same Decoder.
type Node struct {
	Kind Kind
	// Str is the unescaped value of a string, or the literal text of a number.
	Str string
	// Bool is the value of a boolean.
	Bool bool
	// Fields are the members of an object, in document order.
	Fields []Field
	// Items are the elements of an array.
	Items []*Node
}

// Field is one member of a JSON object.
type Field struct {
	Name  string
	Value *Node
}

// Get returns the value of the field named name, or nil.
func (n *Node) Get(name string) *Node {
	if n == nil || n.Kind != KindObject {
		return nil
	}
	for i := range n.Fields {
		if n.Fields[i].Name == name {
			return n.Fields[i].Value
		}
	}
	return nil
}

// AppendJSON appends the compact JSON encoding of n to dst.
func (n *Node) AppendJSON(dst []byte) []byte {
	switch n.Kind {
	case KindNull:
		return append(dst, "null"...)
	case KindBool:
		return strconv.AppendBool(dst, n.Bool)
	case KindNumber:
		return append(dst, n.Str...)
	case KindString:
		return appendQuoted(dst, n.Str)
	case KindArray:
		dst = append(dst, '[')
		for i, it := range n.Items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = it.AppendJSON(dst)
		}
		return append(dst, ']')
	default:
		dst = append(dst, '{')
		for i, f := range n.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendQuoted(dst, f.Name)
			dst = append(dst, ':')
			dst = f.Value.AppendJSON(dst)
		}
		return append(dst, '}')
	}
}

// appendQuoted appends s as a JSON string.
func appendQuoted(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// String returns the compact JSON encoding of n.
func (n *Node) String() string { return string(n.AppendJSON(nil)) }
