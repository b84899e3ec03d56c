package csvmap

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// hashID derives a logical id from parts: the hex form of the first 16
// bytes of a SHA-256 over the length-prefixed parts. The same parts always
// give the same id, so re-importing a file is idempotent.
func hashID(parts ...string) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, p := range parts {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// identifierQuery builds the search query identifier=system|value (or
// identifier=value without a system). Both parts get FHIR search escaping
// (\ | , $ are prefixed with \) and then percent-encoding, so that the
// query survives url.ParseQuery and the split on "|".
func identifierQuery(system, value string) string {
	if system == "" {
		return "identifier=" + queryEscape(searchEscape(value))
	}
	return "identifier=" + queryEscape(searchEscape(system)) + "|" + queryEscape(searchEscape(value))
}

// searchEscape applies FHIR search parameter escaping
// (https://hl7.org/fhir/R4/search.html#escaping).
func searchEscape(s string) string {
	if !strings.ContainsAny(s, `\|,$`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\', '|', ',', '$':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// queryEscape percent-encodes everything but unreserved characters and
// ":" "/" "@", which keeps system URLs readable. Spaces become %20, not +.
func queryEscape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == ':', c == '/', c == '@':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
