package search

import (
	"regexp"
	"strings"

	"github.com/fhirlake/fhirlake/fhir/r4"
)

// oneRowTypes are the element types whose value gives one index row of a
// parameter of the given type (a CodeableConcept gives one per coding, a
// HumanName one per part, an Identifier one per type coding, a Range
// number two, a Timing one per event).
var oneRowTypes = map[Type]map[string]bool{
	Reference: {"Reference": true, "canonical": true, "uri": true},
	Date:      {"date": true, "dateTime": true, "instant": true, "Period": true},
	Number:    {"decimal": true, "integer": true, "positiveInt": true, "unsignedInt": true},
	Quantity:  {"Quantity": true, "Age": true, "Duration": true, "Distance": true, "Count": true, "Money": true, "SimpleQuantity": true, "Range": true},
	URI:       {"uri": true, "url": true, "canonical": true, "oid": true, "uuid": true},
	String:    {"string": true, "markdown": true},
	Token:     {"code": true, "string": true, "id": true, "uri": true, "boolean": true, "Coding": true, "ContactPoint": true},
}

// oneRowPath matches the expressions oneRow understands: a path, then at
// most a where(resolve() is Type) or an "as Type" (in parentheses).
var oneRowPath = regexp.MustCompile(`^([A-Z][A-Za-z]*(?:\.[a-z][A-Za-z]*)+)(?:\.where\(resolve\(\) is [A-Z][A-Za-z]*\)| as ([A-Z][A-Za-z]*)|\.as\(([A-Z][A-Za-z]*)\))?$`)

// oneRow reports whether a resource has at most one index row of p (in
// each copy of its rows, see patientsOf): p's expression is one path to
// an element that repeats nowhere along it, of a type that gives one
// row. A search on such a parameter alone needs no DISTINCT, which would
// make DuckDB read the id column of every match.
func (p *Param) oneRow() bool {
	p.oneRowOnce.Do(func() {
		if p.Type == Composite || p.Type == Special || len(p.branches) > 1 {
			return
		}
		expr := strings.TrimSpace(p.Expression)
		if strings.HasPrefix(expr, "(") && strings.HasSuffix(expr, ")") {
			expr = expr[1 : len(expr)-1] // (Observation.value as Quantity)
		}
		m := oneRowPath.FindStringSubmatch(expr)
		if m == nil {
			return
		}
		repeats, types, ok := r4.Element(m[1])
		if !ok || repeats {
			return
		}
		if as := m[2] + m[3]; as != "" {
			types = []string{as}
		}
		for _, t := range types {
			if !oneRowTypes[p.Type][t] {
				return
			}
		}
		p.isOneRow = len(types) > 0
	})
	return p.isOneRow
}
