package wire

import (
	"context"
	"slices"
	"strings"
)

// Describing a prepared statement needs its result columns before any
// parameter is bound, but the Engine can only run SQL. So the server runs
// the statement once with every parameter bound to a typed NULL:
//
//   - queries (SELECT, WITH, VALUES, parenthesised) are wrapped as
//     SELECT * FROM (<stmt>) AS wire_describe LIMIT 0, so the engine plans
//     them without reading data;
//   - statements that never return rows (CREATE, INSERT without
//     RETURNING, SET...) are not run: they have no columns;
//   - anything else (SHOW, EXPLAIN, DESCRIBE, PRAGMA...) is run as it is
//     and its rows are discarded.
//
// The result is cached on the statement. A caveat of the wrapping: an
// engine may rename duplicate column names inside a subquery.

// describeMode says how describeStatement learns a statement's columns.
type describeMode int

const (
	describeWrap   describeMode = iota // run wrapped in SELECT ... LIMIT 0
	describeNone                       // no result columns
	describeDirect                     // run as is
)

// noResultKeywords start statements that return no rows.
var noResultKeywords = []string{
	"ALTER", "ATTACH", "CALL", "CHECKPOINT", "COMMENT", "COPY", "CREATE", "DEALLOCATE", "DELETE",
	"DETACH", "DISCARD", "DROP", "EXPORT", "GRANT", "IMPORT", "INSERT", "INSTALL", "LISTEN", "LOAD",
	"LOCK", "MERGE", "NOTIFY", "PREPARE", "RESET", "REVOKE", "SET", "TRUNCATE", "UNLISTEN", "UPDATE",
	"USE", "VACUUM",
}

// modeOf classifies sql by its leading keyword.
func modeOf(sql string) describeMode {
	toks := significant(sql)
	if len(toks) == 0 {
		return describeNone
	}
	first := strings.ToUpper(sql[toks[0].start:toks[0].end])
	switch {
	case first == "(" || (toks[0].kind == tokWord && (first == "SELECT" || first == "WITH" || first == "VALUES")):
		return describeWrap
	case toks[0].kind != tokWord || !slices.Contains(noResultKeywords, first):
		return describeDirect
	}
	for _, t := range toks {
		if t.kind == tokWord && strings.EqualFold(sql[t.start:t.end], "RETURNING") {
			return describeDirect
		}
	}
	return describeNone
}

// describeStatement returns the result columns of a prepared statement.
func (c *conn) describeStatement(ctx context.Context, ps *prepared) ([]Column, error) {
	if ps.described || ps.sql == "" {
		return ps.cols, nil
	}
	l, ok, err := parseLocal(ps.sql)
	if err != nil {
		return nil, err
	}
	if ok {
		// A FETCH has its cursor's columns, which change with the cursor.
		ps.cols, ps.described = c.localColumns(l), l.kind != localFetch
		return ps.cols, nil
	}
	nulls := make([]string, len(ps.paramOIDs))
	for i, oid := range ps.paramOIDs {
		nulls[i] = nullLiteral(oid)
	}
	sql, err := substitute(ps.sql, nulls)
	if err != nil {
		return nil, err
	}
	switch modeOf(sql) {
	case describeNone:
		ps.described = true
		return nil, nil
	case describeWrap:
		sql = "SELECT * FROM (\n" + sql + "\n) AS wire_describe LIMIT 0"
	}
	e, err := c.startStatement(ctx, sql)
	if err != nil {
		return nil, err
	}
	ps.cols, ps.described = slices.Clone(e.rows.Columns()), true
	e.close()
	return ps.cols, nil
}
