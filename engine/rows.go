package engine

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/fhirlake/fhirlake/wire"
)

// rows streams a DuckDB result as wire.Rows.
type rows struct {
	ctx   context.Context
	r     *sql.Rows
	cols  []wire.Column
	types []colType
	raw   []any // scan destinations' targets
	ptrs  []any
	vals  []any
	n     int64
	tag   string
	// tables are what the statement read, for its audit record.
	tables []string
	err    error
	end    func() // ends the query's activity record, see activity
}

func newRows(ctx context.Context, r *sql.Rows, tag string) (*rows, error) {
	cts, err := r.ColumnTypes()
	if err != nil {
		r.Close()
		return nil, mapError(ctx, err)
	}
	rs := &rows{ctx: ctx, r: r, tag: tag,
		cols: make([]wire.Column, len(cts)), types: make([]colType, len(cts)),
		raw: make([]any, len(cts)), ptrs: make([]any, len(cts)), vals: make([]any, len(cts))}
	for i, ct := range cts {
		t := resolveType(ct.DatabaseTypeName())
		rs.types[i] = t
		rs.cols[i] = wire.Column{Name: columnName(ct.Name()), TypeOID: t.OID, TypeSize: t.Size, TypeModifier: t.Mod}
		rs.ptrs[i] = &rs.raw[i]
	}
	return rs, nil
}

func (rs *rows) Columns() []wire.Column { return rs.cols }

func (rs *rows) Next() bool {
	if rs.err != nil || !rs.r.Next() {
		if rs.err == nil {
			rs.err = mapError(rs.ctx, rs.r.Err())
		}
		return false
	}
	if err := rs.r.Scan(rs.ptrs...); err != nil {
		rs.err = mapError(rs.ctx, err)
		return false
	}
	for i := range rs.raw {
		rs.vals[i] = normalize(rs.raw[i], &rs.types[i])
	}
	rs.n++
	return true
}

func (rs *rows) Values() []any { return rs.vals }

func (rs *rows) Err() error { return rs.err }

func (rs *rows) Tag() string {
	if rs.tag != "" {
		return rs.tag
	}
	return "SELECT " + strconv.FormatInt(rs.n, 10)
}

func (rs *rows) Close() error {
	if rs.end != nil {
		rs.end()
	}
	return rs.r.Close()
}

// doneRows is the result of a statement without a result set.
type doneRows struct{ tag string }

func (d *doneRows) Columns() []wire.Column { return nil }
func (d *doneRows) Next() bool             { return false }
func (d *doneRows) Values() []any          { return nil }
func (d *doneRows) Err() error             { return nil }
func (d *doneRows) Tag() string            { return d.tag }
func (d *doneRows) Close() error           { return nil }

// columnName gives an unaliased function call column Postgres' name for
// it: DuckDB names the column "memory.fhirlake_pg.""version""()" or
// "count_star()", Postgres "version" or "count".
func columnName(name string) string {
	w := words(name)
	i := 0
	for i+1 < len(w) && w[i].Kind != tokPunct && w[i+1].is(name, ".") {
		i += 2
	}
	if i >= len(w) || !w[len(w)-1].is(name, ")") || i+1 >= len(w) || !w[i+1].is(name, "(") {
		return name
	}
	fn, ok := w[i].ident(name)
	if !ok {
		return name
	}
	depth := 0
	for k := i + 1; k < len(w); k++ {
		switch {
		case w[k].is(name, "("):
			depth++
		case w[k].is(name, ")"):
			depth--
			if depth == 0 && k != len(w)-1 {
				return name
			}
		}
	}
	if fn == "count_star" {
		return "count"
	}
	return strings.ToLower(fn)
}

func (rs *rows) setTables(t []string) { rs.tables = t }

// Tables lists the tables and views the statement read (wire's
// TableReporter).
func (rs *rows) Tables() []string { return rs.tables }
