package csvmap

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Value types a field converts its cell to.
const (
	typeString   = "string"
	typeCode     = "code"
	typeInteger  = "integer"
	typeDecimal  = "decimal"
	typeBoolean  = "boolean"
	typeDate     = "date"
	typeDateTime = "dateTime"
	typeInstant  = "instant"
	typeCoding   = "coding"
)

// jsonString returns s as a JSON string literal. HTML characters are not
// escaped, so the text stays as readable as the CSV was.
func jsonString(s string) []byte {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, fmt.Sprintf(`\u%04x`, c)...)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// checkText rejects cells that cannot be FHIR strings.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%q is not valid UTF-8", s)
	}
	return nil
}

// convertInteger converts a FHIR integer (32-bit, signed).
func convertInteger(s string) ([]byte, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 32)
	if err != nil {
		return nil, fmt.Errorf("%q is not an integer", s)
	}
	return strconv.AppendInt(nil, n, 10), nil
}

// convertDecimal converts a decimal number, keeping its digits (FHIR
// decimals are exact: 5.10 stays 5.10). A leading "+" and superfluous
// leading zeros are dropped, ".5" becomes 0.5 and "5." becomes 5.
func convertDecimal(s string) ([]byte, error) {
	bad := fmt.Errorf("%q is not a decimal number", s)
	rest, sign := s, ""
	switch {
	case strings.HasPrefix(rest, "-"):
		rest, sign = rest[1:], "-"
	case strings.HasPrefix(rest, "+"):
		rest = rest[1:]
	}
	mant, exp := rest, ""
	if i := strings.IndexAny(rest, "eE"); i >= 0 {
		mant, exp = rest[:i], rest[i+1:]
		e := strings.TrimPrefix(strings.TrimPrefix(exp, "+"), "-")
		if e == "" || !allDigits(e) {
			return nil, bad
		}
	}
	whole, frac, _ := strings.Cut(mant, ".")
	if (whole == "" && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return nil, bad
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	out := sign + whole
	if frac != "" {
		out += "." + frac
	}
	if exp != "" {
		out += "e" + exp
	}
	if _, err := strconv.ParseFloat(out, 64); err != nil {
		return nil, bad
	}
	return []byte(out), nil
}

// allDigits reports whether s holds only ASCII digits (true for "").
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// convertBoolean accepts true/false, t/f, yes/no, y/n and 1/0 in any case.
func convertBoolean(s string) ([]byte, error) {
	switch strings.ToLower(s) {
	case "true", "t", "yes", "y", "1":
		return []byte("true"), nil
	case "false", "f", "no", "n", "0":
		return []byte("false"), nil
	}
	return nil, fmt.Errorf("%q is not a boolean (true/false, yes/no, y/n, 1/0)", s)
}
