package csvmap

import (
	"errors"
	"strings"

	"github.com/fhirlake/fhirlake/fhir/r4"
)

// check validates a written resource with the R4 validator and turns each
// issue into a row error, naming the column whose value is at fault when
// the issue's location is (or is inside) a value written from a column.
func (rc *rowConv) check(r *resource, rs *resState) {
	issues := r4.Validate(rs.body)
	if len(issues) == 0 {
		return
	}
	where := map[string]int{}
	r.shape.locate("", rs.vals, where)
	for _, is := range issues {
		column := ""
		if len(is.Expression) > 0 {
			column = rc.columnAt(r, where, strings.TrimPrefix(is.Expression[0], r.typ+"."))
		}
		rc.fail(r.alias, column, errors.New("invalid "+r.typ+": "+is.Diagnostics))
	}
}

// columnAt finds the column of the field written at loc or at one of its
// parents.
func (rc *rowConv) columnAt(r *resource, where map[string]int, loc string) string {
	for loc != "" {
		if j, ok := where[loc]; ok {
			return r.fields[j].sourceColumn()
		}
		i := strings.LastIndexAny(loc, ".[")
		if i < 0 {
			break
		}
		loc = loc[:i]
	}
	return ""
}
