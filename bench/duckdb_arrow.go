//go:build duckdb_arrow

package bench

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// DuckDBInterface is how the DuckDB baseline returns results in this build.
const DuckDBInterface = "its Arrow interface (record batches, -tags duckdb_arrow)"

// Query runs q through DuckDB's Arrow interface, reads every record batch
// and returns the rows as Go values (as a pgx client's rows.Values does).
func (d *duckBaseline) Query(ctx context.Context, q string) ([][]any, error) {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: duckdb: %w", err)
	}
	defer conn.Close()
	var out [][]any
	err = conn.Raw(func(dc any) error {
		dconn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("driver connection is %T", dc)
		}
		ar, err := duckdb.NewArrowFromConn(dconn)
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rdr.Release()
		for rdr.Next() {
			rows, err := arrowRows(rdr.RecordBatch())
			if err != nil {
				return err
			}
			out = append(out, rows...)
		}
		return rdr.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("bench: duckdb (arrow): %w", err)
	}
	return out, nil
}

// arrowRows converts a record batch to rows of Go values.
func arrowRows(rec arrow.RecordBatch) ([][]any, error) {
	n := int(rec.NumRows())
	rows := make([][]any, n)
	for r := range rows {
		rows[r] = make([]any, rec.NumCols())
	}
	for c := 0; c < int(rec.NumCols()); c++ {
		col := rec.Column(c)
		for r := 0; r < n; r++ {
			v, err := arrowValue(col, r)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", rec.ColumnName(c), err)
			}
			rows[r][c] = v
		}
	}
	return rows, nil
}

func arrowValue(col arrow.Array, i int) (any, error) {
	if col.IsNull(i) {
		return nil, nil
	}
	switch a := col.(type) {
	case *array.Boolean:
		return a.Value(i), nil
	case *array.Int8:
		return a.Value(i), nil
	case *array.Int16:
		return a.Value(i), nil
	case *array.Int32:
		return a.Value(i), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Uint64:
		return a.Value(i), nil
	case *array.Float32:
		return a.Value(i), nil
	case *array.Float64:
		return a.Value(i), nil
	// Strings point into the batch's buffers, which are freed with the
	// batch: copy them.
	case *array.String:
		return strings.Clone(a.Value(i)), nil
	case *array.LargeString:
		return strings.Clone(a.Value(i)), nil
	case *array.Decimal128:
		return a.Value(i).ToFloat64(a.DataType().(*arrow.Decimal128Type).Scale), nil
	case *array.Date32:
		return a.Value(i).ToTime(), nil
	case *array.Timestamp:
		return a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit), nil
	default:
		return nil, fmt.Errorf("bench: duckdb: no conversion for Arrow type %s", col.DataType())
	}
}
