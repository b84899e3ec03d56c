package r4

import "encoding/json"

// compact returns raw (valid JSON, from the parser) without insignificant
// whitespace.
func compact(raw []byte) []byte {
	return appendCompact(make([]byte, 0, len(raw)), raw)
}

// appendCompact appends raw, valid JSON, dropping whitespace outside strings.
func appendCompact(dst, raw []byte) []byte {
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString:
			dst = append(dst, c)
			if c == '\\' && i+1 < len(raw) {
				i++
				dst = append(dst, raw[i])
			} else if c == '"' {
				inString = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			dst = append(dst, c)
			inString = c == '"'
		}
	}
	return dst
}

// appendKey appends a JSON member name and a colon.
func appendKey(dst []byte, key string) []byte {
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			b, _ := json.Marshal(key) // a string always marshals
			return append(append(dst, b...), ':')
		}
	}
	dst = append(dst, '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
}
