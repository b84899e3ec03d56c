package r4

import (
	"strconv"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// checkPrimitive checks the JSON kind and the lexical format of a value of
// the named primitive type. It returns the issue code and a description of
// the problem, or "" when the value is valid. The hand-written checks
// accept the same strings as the R4 regexes (see primitive_test.go), and
// dates are also checked against the calendar.
func checkPrimitive(typ string, n *node) (code, problem string) {
	want := jString
	switch typ {
	case "boolean":
		want = jBool
	case "integer", "positiveInt", "unsignedInt", "decimal":
		want = jNumber
	}
	if n.Kind != want {
		return "structure", "expected a JSON " + want.String() + " for a FHIR " + typ + ", found a JSON " + n.Kind.String()
	}
	switch want {
	case jBool:
		return "", ""
	case jNumber:
		return checkNumber(typ, string(n.Raw))
	}
	if n.Str == "" {
		return "value", "empty strings are not allowed in FHIR JSON"
	}
	if !validFormat(typ, n.Str) {
		return "value", strconv.Quote(n.Str) + " is not a valid FHIR " + typ
	}
	return "", ""
}

// checkNumber checks integer types (32-bit, with their lower bounds); any
// JSON number is a valid decimal.
func checkNumber(typ, raw string) (code, problem string) {
	if typ == "decimal" {
		return "", ""
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	switch {
	case err != nil && strings.ContainsAny(raw, ".eE"):
		return "value", raw + " is not a valid FHIR " + typ + " (not a whole number)"
	case err != nil || v > 2147483647 || v < -2147483648:
		return "value", raw + " is not a valid FHIR " + typ + " (out of the 32-bit range)"
	case typ == "positiveInt" && v < 1:
		return "value", raw + " is not a valid FHIR positiveInt (must be at least 1)"
	case typ == "unsignedInt" && v < 0:
		return "value", raw + " is not a valid FHIR unsignedInt (must not be negative)"
	case raw == "-0":
		return "value", raw + " is not a valid FHIR " + typ
	}
	return "", ""
}

// validFormat checks a non-empty string against its primitive type.
func validFormat(typ, s string) bool {
	switch typ {
	case "id":
		return fhir.ValidID(s)
	case "code":
		return validCode(s)
	case "uri", "url", "canonical":
		return !hasSpace(s)
	case "oid":
		return validOID(s)
	case "uuid":
		return validUUID(s)
	case "base64Binary":
		return validBase64(s)
	case "date":
		return validDateTime(s, 'd')
	case "dateTime":
		return validDateTime(s, 'T')
	case "instant":
		return validDateTime(s, 'i')
	case "time":
		return validTime(s)
	}
	return true // string, markdown, xhtml
}

// isSpace matches the \s class of the R4 regexes.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return true
		}
	}
	return false
}

// validCode: [^\s]+(\s[^\s]+)*.
func validCode(s string) bool {
	if isSpace(s[0]) || isSpace(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if isSpace(s[i]) && isSpace(s[i-1]) {
			return false
		}
	}
	return true
}

// validOID: urn:oid:[0-2](\.(0|[1-9][0-9]*))+.
func validOID(s string) bool {
	rest, ok := strings.CutPrefix(s, "urn:oid:")
	if !ok || len(rest) < 3 || rest[0] < '0' || rest[0] > '2' || rest[1] != '.' {
		return false
	}
	for _, arc := range strings.Split(rest[2:], ".") {
		if !isDigits(arc) || (len(arc) > 1 && arc[0] == '0') {
			return false
		}
	}
	return true
}

// validUUID: urn:uuid: and a lower-case 8-4-4-4-12 hex uuid.
func validUUID(s string) bool {
	rest, ok := strings.CutPrefix(s, "urn:uuid:")
	if !ok || len(rest) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := rest[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validBase64: (\s*([0-9a-zA-Z\+/=]){4}\s*)+ — whitespace only between
// groups of four characters.
func validBase64(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isSpace(c):
			if n%4 != 0 {
				return false
			}
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '+', c == '/', c == '=':
			n++
		default:
			return false
		}
	}
	return n > 0 && n%4 == 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
