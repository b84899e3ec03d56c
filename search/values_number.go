package search

import (
	"math"
	"strconv"
	"strings"
)

// DecimalRange parses a decimal as written in JSON or FHIR and returns its
// value and the implicit range its precision stands for: half a unit of
// the last written digit on each side, so "100" gives [99.5, 100.5],
// "0.25" gives [0.245, 0.255] and "1.5e3" gives [1450, 1550].
func DecimalRange(text string) (v, low, high float64, ok bool) {
	if !isDecimal(text) {
		return 0, 0, 0, false
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, 0, 0, false
	}
	mant, exp := text, 0
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		e, err := strconv.Atoi(text[i+1:])
		if err != nil {
			return 0, 0, 0, false
		}
		mant, exp = text[:i], e
	}
	if dot := strings.IndexByte(mant, '.'); dot >= 0 {
		exp -= len(mant) - dot - 1
	}
	half := 0.5 * math.Pow(10, float64(exp))
	return v, v - half, v + half, true
}

// isDecimal reports whether s is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start || (s[start] == '0' && i-start > 1) {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		frac := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == frac {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == exp {
			return false
		}
	}
	return i == len(s)
}
