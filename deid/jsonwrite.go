package deid

import (
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// appendJSON writes n as compact JSON. Invalid UTF-8 in strings is
// replaced by U+FFFD so the output is always valid JSON.
func appendJSON(b []byte, n *node) []byte {
	switch n.Kind {
	case jNull:
		return append(b, "null"...)
	case jBool:
		return append(b, n.Str...)
	case jNumber:
		return append(b, n.Raw...)
	case jString:
		return appendString(b, n.Str)
	case jArray:
		b = append(b, '[')
		for i := range n.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, &n.Items[i])
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i := range n.Members {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, n.Members[i].Key)
		b = append(b, ':')
		b = appendJSON(b, &n.Members[i].Val)
	}
	return append(b, '}')
}

// appendString writes s as a JSON string literal.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
