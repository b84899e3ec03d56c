//go:build duckdb_arrow

package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// duckScan reads the whole result of q through DuckDB's Arrow interface,
// column by column, and checks it like streamRows does.
func duckScan(db *sql.DB, q string, want checksum) func(context.Context) (map[string]float64, error) {
	return func(ctx context.Context) (map[string]float64, error) {
		conn, err := db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		start := time.Now()
		var got checksum
		err = conn.Raw(func(dc any) error {
			ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
			if err != nil {
				return err
			}
			rdr, err := ar.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			defer rdr.Release()
			for rdr.Next() {
				rec := rdr.RecordBatch()
				ids, xs, labels := rec.Column(0).(*array.Int64), rec.Column(1).(*array.Float64), rec.Column(2).(*array.String)
				for i := range int(rec.NumRows()) {
					got.add(ids.Value(i), xs.Value(i), labels.Value(i))
				}
			}
			return rdr.Err()
		})
		if err != nil {
			return nil, fmt.Errorf("bench: duckdb: %w", err)
		}
		elapsed := time.Since(start)
		if got != want {
			return nil, fmt.Errorf("bench: duckdb: got %+v, want %+v", got, want)
		}
		return map[string]float64{"throughput": float64(want.Rows) / elapsed.Seconds()}, nil
	}
}
