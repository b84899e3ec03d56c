package linkage

import (
	"strconv"
	"strings"
)

// record is a Patient folded once for comparison.
type record struct {
	id      string
	family  []rune
	given   [][]rune // folded given names
	given0  string   // the first folded given name, as a string
	y, m, d int      // birth date; 0 when missing (month and day may be)
	sex     string
	line    []rune
	city    string
	postal  string
	phones  []string
	ids     []Identifier // sorted by system, then value
	familyS string       // folded family name, as a string
}

// prepare folds the fields of p.
func prepare(p Patient) record {
	r := record{id: p.ID, sex: foldSex(p.Gender), city: foldName(p.City), postal: foldPostal(p.PostalCode)}
	r.familyS = foldName(p.Family)
	r.family = []rune(r.familyS)
	for _, g := range p.Given {
		for _, part := range strings.Fields(g) {
			if f := foldName(part); f != "" {
				r.given = append(r.given, []rune(f))
			}
		}
	}
	if len(r.given) > 0 {
		r.given0 = string(r.given[0])
	}
	r.y, r.m, r.d = parseDate(p.BirthDate)
	r.line = []rune(foldLine(p.Line))
	for _, ph := range p.Phones {
		if f := foldPhone(ph); f != "" {
			r.phones = append(r.phones, f)
		}
	}
	for _, id := range p.Identifiers {
		s, v := strings.TrimSpace(id.System), strings.TrimSpace(id.Value)
		if s != "" && v != "" {
			r.ids = append(r.ids, Identifier{System: s, Value: v})
		}
	}
	sortIdentifiers(r.ids)
	return r
}

// parseDate splits a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, possibly a
// dateTime) into numbers; parts that are missing or malformed are 0.
func parseDate(s string) (y, m, d int) {
	part := func(from, to int) int {
		if len(s) < to {
			return 0
		}
		n, err := strconv.Atoi(s[from:to])
		if err != nil || n < 0 {
			return 0
		}
		return n
	}
	y = part(0, 4)
	if y == 0 || len(s) > 4 && s[4] != '-' {
		return 0, 0, 0
	}
	m = part(5, 7)
	if m < 1 || m > 12 {
		return y, 0, 0
	}
	d = part(8, 10)
	if d < 1 || d > 31 {
		d = 0
	}
	return y, m, d
}

// sortIdentifiers sorts ids by system, then value (insertion sort: a
// patient has a handful).
func sortIdentifiers(ids []Identifier) {
	for i := 1; i < len(ids); i++ {
		for k := i; k > 0 && less(ids[k], ids[k-1]); k-- {
			ids[k], ids[k-1] = ids[k-1], ids[k]
		}
	}
}

func less(a, b Identifier) bool {
	if a.System != b.System {
		return a.System < b.System
	}
	return a.Value < b.Value
}
