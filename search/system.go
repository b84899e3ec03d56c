package search

import (
	"fmt"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// NewSystemPlan builds the SQL of a search across resource types
// (GET [base]?_type=A,B&..., https://hl7.org/fhir/R4/http.html#search):
// qs holds one parsed query per type, all of the same parameters. Its
// IDs select "Type/id" strings in that order, paged by keyset: after is
// the last "Type/id" of the previous page, or "". Sorting and includes
// are per type and refused here, as are patient pinning and compartments
// (each type's set is planned unpinned).
func NewSystemPlan(qs []*Query, datastore, after string) (*Plan, error) {
	if !validDatastore(datastore) {
		return nil, fmt.Errorf("search: invalid data store name %q", datastore)
	}
	if len(qs) == 0 {
		return nil, &QueryError{"_type", "no resource type to search"}
	}
	if after != "" {
		t, id, ok := strings.Cut(after, "/")
		if !ok || !fhir.IsResourceType(t) || !fhir.ValidID(id) {
			return nil, &QueryError{"_after", fmt.Sprintf("%q is not the Type/id of a page's last match", after)}
		}
	}
	b := &planBuilder{db: datastore}
	var parts []string
	for _, q := range qs {
		switch {
		case len(q.Sort) > 0:
			return nil, &QueryError{"_sort", "a search across resource types cannot be sorted"}
		case len(q.Includes) > 0 || len(q.RevIncludes) > 0:
			return nil, &QueryError{"_include", "a search across resource types has no includes"}
		case q.Compartment != nil:
			return nil, &QueryError{"", "a compartment search names one resource type"}
		}
		b.main = q.Type
		set, err := b.matches(q)
		if err != nil {
			return nil, err
		}
		parts = append(parts, fmt.Sprintf("SELECT %s::VARCHAR || '/' || id AS id FROM (%s)", b.arg(q.Type), set))
	}
	union := strings.Join(parts, " UNION ALL ")
	p := &Plan{Count: "SELECT count(*) FROM (" + union + ")", Args: b.args[:len(b.args):len(b.args)], fromStart: after == ""}
	where := ""
	if after != "" {
		where = " WHERE m.id > " + b.arg(after)
	}
	n := len(b.args)
	p.IDs = fmt.Sprintf("SELECT m.id FROM (%s) m%s ORDER BY m.id LIMIT $%d OFFSET $%d", union, where, n+1, n+2)
	p.idArgs = b.args
	return p, nil
}
