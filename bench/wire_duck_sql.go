//go:build !duckdb_arrow

package bench

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// duckScan reads the whole result of q through database/sql (this build
// has no DuckDB Arrow interface) and checks it like streamRows does.
func duckScan(db *sql.DB, q string, want checksum) func(context.Context) (map[string]float64, error) {
	return func(ctx context.Context) (map[string]float64, error) {
		start := time.Now()
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("bench: duckdb: %w", err)
		}
		defer rows.Close()
		var got checksum
		var id int64
		var x float64
		var label string
		for rows.Next() {
			if err := rows.Scan(&id, &x, &label); err != nil {
				return nil, err
			}
			got.add(id, x, label)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		elapsed := time.Since(start)
		if got != want {
			return nil, fmt.Errorf("bench: duckdb: got %+v, want %+v", got, want)
		}
		return map[string]float64{"throughput": float64(want.Rows) / elapsed.Seconds()}, nil
	}
}
