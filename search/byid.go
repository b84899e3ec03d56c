package search

import (
	"slices"

	"github.com/fhirlake/fhirlake/fhir"
)

// IDsOnly returns the ids a search by logical id alone asks for: a query
// whose only criterion is `_id=a,b,…` (no modifier), with no sort,
// compartment, cursor or offset. A server may read such ids straight from
// its raw store, by key, instead of running the plan: the answer is the
// same (every resource has exactly one _id row, and the default order is
// by id), and fresher. The ids are sorted and distinct; values that are
// not valid ids, which no resource can have, are left out. ok is false
// for every other query.
func (q *Query) IDsOnly() (ids []string, ok bool) {
	if len(q.Criteria) != 1 || len(q.Sort) > 0 || q.Compartment != nil || q.After != "" || q.Offset != 0 {
		return nil, false
	}
	c := q.Criteria[0]
	if c.Param == nil || c.Param.Code != "_id" || c.Modifier != "" || c.Chain != nil || c.Has != nil || c.Missing != nil {
		return nil, false
	}
	for _, v := range c.Values {
		if v.HasSystem || v.System != "" {
			return nil, false
		}
		if fhir.ValidID(v.Code) {
			ids = append(ids, v.Code)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), true
}
