package bench

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/fhirlake/fhirlake/catalog"
)

// duckBaseline is plain DuckDB, in-process, with one view per fhirlake view
// over the same Parquet files: what a user gets by pointing DuckDB at the
// files without fhirlake. Built with -tags duckdb_arrow it is queried
// through DuckDB's Arrow interface (duckdb_arrow.go), otherwise through
// database/sql (duckdb_sql.go); DuckDBInterface says which.
type duckBaseline struct {
	db      *sql.DB
	Version string
}

func openDuckDB(ctx context.Context, cat *catalog.Catalog, ds string) (*duckBaseline, error) {
	conn, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("bench: duckdb: %w", err)
	}
	db := sql.OpenDB(conn)
	// One connection: the session settings below apply to every query.
	db.SetMaxOpenConns(1)
	d := &duckBaseline{db: db}
	if err := d.setUp(ctx, cat, ds); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

func (d *duckBaseline) setUp(ctx context.Context, cat *catalog.Catalog, ds string) error {
	if _, err := d.db.ExecContext(ctx, "SET TimeZone = 'UTC'"); err != nil {
		return fmt.Errorf("bench: duckdb: %w", err)
	}
	if err := d.db.QueryRowContext(ctx, "SELECT version()").Scan(&d.Version); err != nil {
		return fmt.Errorf("bench: duckdb: %w", err)
	}
	views, err := cat.Views(ds)
	if err != nil {
		return fmt.Errorf("bench: duckdb: %w", err)
	}
	for _, v := range views {
		if len(v.Files) == 0 {
			return fmt.Errorf("bench: duckdb: view %s has no Parquet file", v.Name)
		}
		// A fresh import has one generation: plain files, or, for a big
		// search index, clustered ones (hive-partitioned by param).
		var plain, clustered []string
		for _, f := range v.Files {
			if f.Deletes {
				continue
			}
			p := "'" + strings.ReplaceAll(filepath.Join(cat.DatastoreDir(ds), f.Path), "'", "''") + "'"
			if f.Partitioned {
				clustered = append(clustered, p)
			} else {
				plain = append(plain, p)
			}
		}
		var sels []string
		if len(plain) > 0 {
			sels = append(sels, fmt.Sprintf("SELECT * FROM read_parquet([%s])", strings.Join(plain, ", ")))
		}
		if len(clustered) > 0 {
			sels = append(sels, fmt.Sprintf("SELECT * FROM read_parquet([%s], hive_partitioning = true, hive_types = {'param': VARCHAR})", strings.Join(clustered, ", ")))
		}
		q := fmt.Sprintf(`CREATE VIEW "%s" AS %s`, strings.ReplaceAll(v.Name, `"`, `""`), strings.Join(sels, " UNION ALL BY NAME "))
		if _, err := d.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("bench: duckdb: view %s: %w", v.Name, err)
		}
	}
	return nil
}

// Close closes the database.
func (d *duckBaseline) Close() error { return d.db.Close() }

// writeWireParquet writes the wire suite's rows (id bigint, x double, label
// varchar) to a zstd Parquet file with a throw-away DuckDB database.
func writeWireParquet(ctx context.Context, path string, n int) error {
	db, err := newDuckDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	q := fmt.Sprintf(`COPY (SELECT i::BIGINT AS id, (i * 0.25)::DOUBLE AS x, 'row ' || i::VARCHAR AS label FROM range(%d) AS t(i)) TO '%s' (FORMAT parquet, COMPRESSION zstd)`,
		n, strings.ReplaceAll(path, "'", "''"))
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("bench: duckdb: write %s: %w", path, err)
	}
	return nil
}

// newDuckDB opens a throw-away in-memory DuckDB database with one connection,
// TimeZone UTC and integer division (as fhirlake's engine sets it, so
// the same SQL gives the same answers).
func newDuckDB(ctx context.Context) (*sql.DB, error) {
	conn, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("bench: duckdb: %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(1)
	for _, set := range []string{"SET TimeZone = 'UTC'", "SET integer_division = true"} {
		if _, err := db.ExecContext(ctx, set); err != nil {
			db.Close()
			return nil, fmt.Errorf("bench: duckdb: %w", err)
		}
	}
	return db, nil
}
