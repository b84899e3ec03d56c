//go:build !duckdb_arrow

package bench

import (
	"context"
	"fmt"
)

// DuckDBInterface is how the DuckDB baseline returns results in this build.
const DuckDBInterface = "database/sql (build with -tags duckdb_arrow for its Arrow interface)"

// Query runs q and returns every row, scanned into Go values.
func (d *duckBaseline) Query(ctx context.Context, q string) ([][]any, error) {
	rows, err := d.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("bench: duckdb: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("bench: duckdb: %w", err)
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("bench: duckdb: %w", err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bench: duckdb: %w", err)
	}
	return out, nil
}
