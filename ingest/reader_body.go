package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// writeBody appends to dst the compact form of src, a valid JSON object, and
// returns the extended slice. On the way it
//   - replaces the string value of every "reference" member (at any depth,
//     contained resources included) that is a key of refs by refs[value];
//   - inserts "id":id after the top-level "resourceType" member when id is
//     not empty (or at the start of the object if that member is not found).
//
// Only member names written without escapes are recognised; that is how
// every FHIR serializer writes them.
func writeBody(dst, src []byte, refs map[string]string, id string) []byte {
	start := len(dst)
	depth := 0
	isRef, isType := false, false // the value being read belongs to such a key
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			i++
		case '"':
			end := stringEnd(src, i)
			s := src[i:end]
			k := end
			for k < len(src) && isSpace(src[k]) {
				k++
			}
			if k < len(src) && src[k] == ':' { // an object key
				dst = append(append(dst, s...), ':')
				isRef = string(s) == `"reference"`
				isType = depth == 1 && string(s) == `"resourceType"`
				i = k + 1
				continue
			}
			dst = appendValue(dst, s, isRef, refs)
			if isType && id != "" {
				dst = appendIDMember(append(dst, ','), id)
				id = ""
			}
			isRef, isType = false, false
			i = end
		case '{', '[':
			depth++
			dst = append(dst, c)
			isRef, isType = false, false
			i++
		case '}', ']':
			depth--
			dst = append(dst, c)
			i++
		default: // numbers, literals, commas
			dst = append(dst, c)
			isRef, isType = false, false
			i++
		}
	}
	if id != "" && len(dst) > start && dst[start] == '{' {
		dst = insertID(dst, start, id)
	}
	return dst
}

// appendValue appends the quoted string s, rewritten through refs when it
// is the value of a "reference" member.
func appendValue(dst, s []byte, isRef bool, refs map[string]string) []byte {
	if isRef && len(refs) > 0 {
		if to, ok := refs[unquote(s)]; ok {
			return append(append(append(dst, '"'), to...), '"')
		}
	}
	return append(dst, s...)
}

// insertID inserts an "id" member right after the '{' at dst[start].
func insertID(dst []byte, start int, id string) []byte {
	member := appendIDMember(nil, id)
	if len(dst)-start > 2 { // not "{}"
		member = append(member, ',')
	}
	dst = append(dst, member...)
	copy(dst[start+1+len(member):], dst[start+1:len(dst)-len(member)])
	copy(dst[start+1:], member)
	return dst
}

func appendIDMember(dst []byte, id string) []byte {
	dst = append(dst, `"id":"`...)
	return append(append(dst, id...), '"')
}

// stringEnd returns the index just past the closing quote of the valid JSON
// string starting at src[i].
func stringEnd(src []byte, i int) int {
	j := i + 1
	for {
		q := bytes.IndexByte(src[j:], '"')
		if q < 0 {
			return len(src) // unreachable for valid JSON
		}
		j += q
		// The quote is escaped if preceded by an odd number of backslashes.
		n := 0
		for k := j - 1; k > i && src[k] == '\\'; k-- {
			n++
		}
		j++
		if n%2 == 0 {
			return j
		}
	}
}

// unquote returns the content of the valid JSON string s (with its quotes).
func unquote(s []byte) string {
	inner := s[1 : len(s)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner)
	}
	var out string
	if err := json.Unmarshal(s, &out); err != nil {
		return string(inner)
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// contentID derives a logical id from the compact JSON of a resource: a
// UUID (version 8, RFC 9562) built from the first 16 bytes of its SHA-256.
// The same content always gets the same id, so re-importing a file does
// not create duplicates.
func contentID(compact []byte) string {
	sum := sha256.Sum256(compact)
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80 // version 8
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}
