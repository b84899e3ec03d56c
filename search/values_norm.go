package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize folds s for string matching: it decomposes s (Unicode NFD),
// drops combining marks (accents) and maps to lower case, so "Ångström"
// and "angstrom" are equal. Letters that do not decompose (ø, ß, æ, đ)
// are kept, lower-cased.
func Normalize(s string) string {
	if ascii, lower := asciiInfo(s); ascii {
		if lower {
			return s
		}
		return strings.ToLower(s)
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// asciiInfo reports whether s is ASCII and whether it has no upper-case
// letters.
func asciiInfo(s string) (ascii, lower bool) {
	lower = true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return false, false
		}
		if c >= 'A' && c <= 'Z' {
			lower = false
		}
	}
	return true, lower
}
