package search

import (
	"fmt"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// Page is one page of the matches of a search, as a Searcher returns it.
type Page struct {
	IDs []string
	// Total is the number of matches when counted, -1 otherwise.
	Total int
	// Next is the cursor of the next page (the _after of a next link),
	// "" when no match follows.
	Next string
}

// Cursor returns the cursor of the page after a row of IDs, given the
// row's column values as scanned (the id first, then the sort keys:
// string, time.Time, float64 or nil). For an unsorted search it is the
// id itself.
func (p *Plan) Cursor(row []any) (string, error) {
	if len(row) != 1+len(p.kinds) {
		return "", fmt.Errorf("search: cursor: %d columns for %d sort keys", len(row), len(p.kinds))
	}
	id, ok := row[0].(string)
	if !ok {
		return "", fmt.Errorf("search: cursor: id of type %T", row[0])
	}
	if len(p.kinds) == 0 {
		return id, nil
	}
	return encodeCursor(p.sort, p.kinds, id, row[1:])
}

// FromStart reports whether IDs at offset 0 starts at the first match
// (the search has no cursor): a first page shorter than asked for then
// holds every match, and its length is the count.
func (p *Plan) FromStart() bool { return p.fromStart }

// Columns returns the number of columns IDs selects: the id and the sort
// keys.
func (p *Plan) Columns() int { return 1 + len(p.kinds) }

// sortKey is one ORDER BY key of a sorted search.
type sortKey struct {
	expr string // the key value of the resource m.id
	desc bool
	kind keyKind
}

// sortColumns are the index columns a parameter type sorts by, and their
// SQL type.
var sortColumns = map[Type]struct {
	col  string
	kind keyKind
}{
	String:    {"str", kindString},
	Token:     {"code", kindString},
	Date:      {"t_lo", kindTime},
	Number:    {"n", kindFloat},
	Quantity:  {"n", kindFloat},
	URI:       {"raw", kindString},
	Reference: {"ref_id", kindString},
}

// order returns the keys of _sort: each is the smallest (or, descending,
// the largest) indexed value of its parameter; resources without one
// come last either way. The id breaks ties, so the order is total.
func (b *planBuilder) order(q *Query) ([]sortKey, error) {
	var keys []sortKey
	for _, k := range q.Sort {
		c, ok := sortColumns[k.Param.Type]
		if !ok {
			return nil, &QueryError{"_sort", fmt.Sprintf("cannot sort on %q", k.Param.Code)}
		}
		agg := "min"
		if k.Desc {
			agg = "max"
		}
		keys = append(keys, sortKey{
			expr: fmt.Sprintf("(SELECT %s(%s) FROM %s s WHERE s.id = m.id AND s.param = %s)",
				agg, c.col, b.table(q.Type), b.arg(k.Param.Code)),
			desc: k.Desc,
			kind: c.kind,
		})
	}
	return keys, nil
}

// page returns the SQL of one page of the ids in set, sorted by keys then
// id, after the cursor q.After and q.Offset more rows, with limit and
// offset as the last two parameters.
func (b *planBuilder) page(set string, keys []sortKey, q *Query, sig string) (string, error) {
	if len(keys) == 0 {
		where := ""
		if q.After != "" {
			if !fhir.ValidID(q.After) {
				return "", &QueryError{"_after", fmt.Sprintf("%q is not a page cursor from a next link of this search", q.After)}
			}
			where = " WHERE m.id > " + b.arg(q.After)
		}
		return fmt.Sprintf("SELECT m.id FROM (%s) m%s ORDER BY m.id %s", set, where, b.limit()), nil
	}
	cols := make([]string, len(keys))
	sel := make([]string, len(keys))
	order := make([]string, len(keys)+1)
	kinds := make([]keyKind, len(keys))
	for i, k := range keys {
		cols[i] = fmt.Sprintf("k%d", i+1)
		sel[i] = k.expr + " AS " + cols[i]
		order[i] = cols[i] + " ASC NULLS LAST"
		if k.desc {
			order[i] = cols[i] + " DESC NULLS LAST"
		}
		kinds[i] = k.kind
	}
	order[len(keys)] = "id"
	where := ""
	if q.After != "" {
		id, vals, err := decodeCursor(q.After, sig, kinds)
		if err != nil {
			return "", err
		}
		where = " WHERE " + b.after(cols, keys, vals, id)
	}
	return fmt.Sprintf("SELECT id, %s FROM (SELECT m.id, %s FROM (%s) m) k%s ORDER BY %s %s",
		strings.Join(cols, ", "), strings.Join(sel, ", "), set, where, strings.Join(order, ", "), b.limit()), nil
}

// limit is the LIMIT and OFFSET clause, whose values follow the bound
// ones (see Plan.IDArgs): it must come last.
func (b *planBuilder) limit() string {
	n := len(b.args)
	return fmt.Sprintf("LIMIT $%d OFFSET $%d", n+1, n+2)
}

// after is the condition that a row comes after the cursor (vals, id) in
// the order of keys, each with its direction and nulls last, then id
// ascending. DuckDB's row comparison (a, b) > (x, y) has one direction
// and no null ordering, so the lexicographic comparison is written out:
//
//	k1 after v1 OR (k1 = v1 AND (k2 after v2 OR (k2 = v2 AND ... id > $id)))
//
// where "after v" is "> v OR IS NULL" ascending, "< v OR IS NULL"
// descending, and nothing comes after a null (nulls are last; all nulls
// are equal).
func (b *planBuilder) after(cols []string, keys []sortKey, vals []any, id string) string {
	cond := "id > " + b.arg(id)
	for i := len(keys) - 1; i >= 0; i-- {
		col := cols[i]
		if vals[i] == nil {
			cond = fmt.Sprintf("(%s IS NULL AND %s)", col, cond)
			continue
		}
		v, op := b.arg(vals[i]), ">"
		if keys[i].desc {
			op = "<"
		}
		cond = fmt.Sprintf("(%s %s %s OR %s IS NULL OR (%s = %s AND %s))", col, op, v, col, col, v, cond)
	}
	return cond
}
