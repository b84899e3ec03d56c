package bench

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// queryFS holds the SQL of the analytics suite and the views of the
// flatten suite.
//
//go:embed queries/*.sql queries/pg/*.sql views/*.json views/duckdb/*.sql
var queryFS embed.FS

// Query is one analytics query: SQL over fhirlake's views (run by fhirlake
// and by plain DuckDB) and the equivalent SQL over PostgreSQL jsonb tables.
type Query struct {
	Name  string // file name without .sql, e.g. "q01_diabetes_htn_metformin_60plus"
	SQL   string // queries/<Name>.sql
	PGSQL string // queries/pg/<Name>.sql
}

// Queries returns the analytics queries in name order. Every query must
// have its PostgreSQL counterpart and the other way round.
func Queries() ([]Query, error) {
	return loadQueries(queryFS, "queries")
}

func loadQueries(fsys fs.FS, dir string) ([]Query, error) {
	views, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("bench: queries: %w", err)
	}
	pgs, err := fs.Glob(fsys, path.Join(dir, "pg", "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("bench: queries: %w", err)
	}
	if len(pgs) != len(views) {
		return nil, fmt.Errorf("bench: queries: %d view queries but %d PostgreSQL queries", len(views), len(pgs))
	}
	sort.Strings(views)
	var out []Query
	for _, v := range views {
		name := strings.TrimSuffix(path.Base(v), ".sql")
		sql, err := fs.ReadFile(fsys, v)
		if err != nil {
			return nil, fmt.Errorf("bench: query %s: %w", name, err)
		}
		pg, err := fs.ReadFile(fsys, path.Join(dir, "pg", name+".sql"))
		if err != nil {
			return nil, fmt.Errorf("bench: query %s has no PostgreSQL equivalent: %w", name, err)
		}
		out = append(out, Query{Name: name, SQL: string(sql), PGSQL: string(pg)})
	}
	return out, nil
}
