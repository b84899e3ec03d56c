package csvmap

import (
	"fmt"
	"strconv"
	"strings"
)

// maxIndex bounds array indexes in paths; FHIR extracts never need more.
const maxIndex = 999

// step is one segment of an element path: a member name, and an array
// index when the element repeats (index -1 otherwise).
type step struct {
	name  string
	index int
}

// elemPath is a parsed element path such as name[0].given[1].
type elemPath []step

// parsePath parses "a.b[2].c". Names are FHIR element names (letters,
// digits, underscore, starting with a letter or underscore); an index
// is a decimal number from 0 to 999.
func parsePath(s string) (elemPath, error) {
	if s == "" {
		return nil, fmt.Errorf("empty path")
	}
	var p elemPath
	for _, seg := range strings.Split(s, ".") {
		st, err := parseStep(seg)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", s, err)
		}
		p = append(p, st)
	}
	return p, nil
}

// parseStep parses one "name" or "name[3]" segment.
func parseStep(seg string) (step, error) {
	name, idx, hasIdx := strings.Cut(seg, "[")
	if !validName(name) {
		return step{}, fmt.Errorf("%q is not an element name", name)
	}
	if !hasIdx {
		return step{name: name, index: -1}, nil
	}
	digits, ok := strings.CutSuffix(idx, "]")
	if !ok || digits == "" || strings.ContainsAny(digits, "+-") {
		return step{}, fmt.Errorf("%q: expected name[index]", seg)
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > maxIndex || (len(digits) > 1 && digits[0] == '0') {
		return step{}, fmt.Errorf("%q: index must be a number from 0 to %d", seg, maxIndex)
	}
	return step{name: name, index: n}, nil
}

// validName reports whether s is an element name.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// String writes the path back in its canonical form.
func (p elemPath) String() string {
	var b strings.Builder
	for i, st := range p {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(st.name)
		if st.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(st.index))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// child returns p extended by one member name.
func (p elemPath) child(name string) elemPath {
	out := make(elemPath, len(p), len(p)+1)
	copy(out, p)
	return append(out, step{name: name, index: -1})
}
