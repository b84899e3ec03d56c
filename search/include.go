package search

import (
	"fmt"
	"slices"
	"strings"
)

// maxIterate bounds the rounds of _include:iterate and
// _revinclude:iterate.
const maxIterate = 3

// IncludeSQL returns the SQL (and its bound parameters) that selects the
// type and id of the resources one _include (rev false) or _revinclude
// (rev true) adds for the resources ids of type typ. ok is false when the
// include does not apply to typ (an _include whose source is another
// type).
func IncludeSQL(inc Include, rev bool, typ string, ids []string, datastore string) (sql string, args []any, ok bool, err error) {
	if !validDatastore(datastore) {
		return "", nil, false, fmt.Errorf("search: invalid data store name %q", datastore)
	}
	if len(ids) == 0 || (!rev && inc.Source != typ) {
		return "", nil, false, nil
	}
	b := &planBuilder{db: datastore}
	in := make([]string, len(ids))
	for i, id := range ids {
		in[i] = b.arg(id)
	}
	list := strings.Join(in, ", ")
	var where []string
	if rev {
		where = append(where, "ref_type = "+b.arg(typ), "ref_id IN ("+list+")")
		sql = "SELECT DISTINCT " + b.arg(inc.Source) + "::VARCHAR, id FROM " + b.table(inc.Source)
	} else {
		where = append(where, "id IN ("+list+")", "ref_type IS NOT NULL", "ref_id IS NOT NULL", "NOT starts_with(ref_id, '#')")
		sql = "SELECT DISTINCT ref_type, ref_id FROM " + b.table(inc.Source)
	}
	if !inc.Wildcard {
		where = append(where, "param = "+b.arg(inc.Param.Code))
	} else {
		where = append(where, "ref_type IS NOT NULL")
	}
	if inc.Target != "" {
		if rev {
			if inc.Target != typ {
				return "", nil, false, nil
			}
		} else {
			where = append(where, "ref_type = "+b.arg(inc.Target))
		}
	}
	return sql + " WHERE " + strings.Join(where, " AND ") + " ORDER BY 1, 2", b.args, true, nil
}

// Iterations returns how many rounds the includes of q take: one, or
// maxIterate when one of them iterates.
func (q *Query) Iterations() int {
	for _, inc := range append(append([]Include(nil), q.Includes...), q.RevIncludes...) {
		if inc.Iterate {
			return maxIterate
		}
	}
	return 1
}

// maxIncluded bounds the resources the includes of one page may add.
const maxIncluded = 10000

// Includes runs the _include and _revinclude of q for the matches (ids of
// q.Type) and returns the type and id of each resource they add, once,
// without the matches, in a stable order. run executes one IncludeSQL
// query. Iterating includes apply again to what the previous round added.
func Includes(q *Query, matches []string, datastore string, run func(sql string, args []any) ([][2]string, error)) ([][2]string, error) {
	if len(q.Includes)+len(q.RevIncludes) == 0 || len(matches) == 0 {
		return nil, nil
	}
	seen := map[[2]string]bool{}
	for _, id := range matches {
		seen[[2]string{q.Type, id}] = true
	}
	var out [][2]string
	frontier := map[string][]string{q.Type: matches}
	for round := 0; round < q.Iterations() && len(frontier) > 0; round++ {
		next := map[string][]string{}
		types := make([]string, 0, len(frontier))
		for t := range frontier {
			types = append(types, t)
		}
		slices.Sort(types)
		for _, typ := range types {
			for _, rev := range []bool{false, true} {
				incs := q.Includes
				if rev {
					incs = q.RevIncludes
				}
				for _, inc := range incs {
					if round > 0 && !inc.Iterate {
						continue
					}
					sql, args, ok, err := IncludeSQL(inc, rev, typ, frontier[typ], datastore)
					if err != nil {
						return nil, err
					}
					if !ok {
						continue
					}
					pairs, err := run(sql, args)
					if err != nil {
						return nil, err
					}
					for _, p := range pairs {
						if seen[p] {
							continue
						}
						seen[p] = true
						if len(out) == maxIncluded {
							return out, nil
						}
						out = append(out, p)
						next[p[0]] = append(next[p[0]], p[1])
					}
				}
			}
		}
		frontier = next
	}
	return out, nil
}
