package normalize

import "strings"

// isSpace matches the \s class of the FHIR R4 regexes.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// collapseSpace trims s and replaces every run of whitespace inside it by
// one space, the form the R4 code regex [^\s]+(\s[^\s]+)* allows.
func collapseSpace(s string) string {
	clean := len(s) > 0 && !isSpace(s[0]) && !isSpace(s[len(s)-1])
	for i := 0; clean && i < len(s); i++ {
		clean = !isSpace(s[i]) || s[i] == ' ' && !isSpace(s[i+1])
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// foldRequired returns the code of a required value set that equals s
// ignoring case, when s is not itself one of the codes and exactly one
// code matches; otherwise s.
func foldRequired(codes []string, s string) string {
	match := ""
	for _, c := range codes {
		if c == s {
			return s
		}
		if strings.EqualFold(c, s) {
			if match != "" {
				return s
			}
			match = c
		}
	}
	if match == "" {
		return s
	}
	return match
}
