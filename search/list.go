package search

import (
	"fmt"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// listParam is _list (https://hl7.org/fhir/R4/search.html#list): the
// resources of the searched type that List/<id> holds in entry.item, read
// from the List's index rows of its item parameter. It is not a
// SearchParameter of R4's table, so Lookup does not know it; ParseQuery
// makes a Criterion of it directly. Comma-separated ids are OR-ed.
var listParam = &Param{Code: "_list", Type: Special, Base: "Resource"}

// parseList parses the value of _list: List ids; the functional lists
// ($current-allergies, ...) are not supported.
func parseList(raw string) (Criterion, error) {
	c := Criterion{Param: listParam}
	for _, s := range splitValues(raw) {
		switch {
		case strings.HasPrefix(s, "$"):
			return c, &QueryError{listParam.Code, fmt.Sprintf("the functional list %q is not supported", s)}
		case !fhir.ValidID(s):
			return c, &QueryError{listParam.Code, fmt.Sprintf("%q is not a List id", s)}
		}
		c.Values = append(c.Values, Value{Raw: s, RefID: s})
	}
	if len(c.Values) > maxOrValues {
		return c, &QueryError{listParam.Code, fmt.Sprintf("more than %d values", maxOrValues)}
	}
	return c, nil
}

// list selects the resources of typ that the Lists of c hold.
func (b *planBuilder) list(typ string, c *Criterion) string {
	ids := make([]string, len(c.Values))
	for i, v := range c.Values {
		ids[i] = b.arg(v.RefID)
	}
	return fmt.Sprintf("SELECT ref_id AS id FROM %s WHERE id IN (%s) AND param = 'item' AND ref_type = %s",
		b.table("List"), strings.Join(ids, ", "), b.arg(typ))
}
