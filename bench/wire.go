package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fhirlake/fhirlake/catalog"
)

// wireSuite streams one wide SELECT (Env.WireRows rows of bigint, double
// precision and text) to pgx, in binary and in text result format, from
// fhirlake (a Parquet-backed table served over its wire protocol) and from
// PostgreSQL (a heap table with the same rows). It does not depend on the
// number of patients and runs once per `fhirlake bench` run.
type wireSuite struct{}

func (wireSuite) Name() string { return "wire" }

// SizeIndependent reports that the suite runs once, not per data size.
func (wireSuite) SizeIndependent() bool { return true }

const wireTable = "wire_rows"

func (s wireSuite) Run(ctx context.Context, env *Env) (_ []Result, err error) {
	n := env.WireRows
	if n <= 0 {
		return nil, fmt.Errorf("bench: wire: Env.WireRows must be > 0")
	}
	env.Logf("wire: %d rows x 3 columns: loading fhirlake and PostgreSQL", n)
	dir := filepath.Join(env.Work, "wire-lake")
	if err := makeWireLake(ctx, dir, n); err != nil {
		return nil, err
	}
	fl, err := startFhirlake(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, fl.Close(context.WithoutCancel(ctx))) }()
	flConn, err := pgx.Connect(ctx, fl.ConnString())
	if err != nil {
		return nil, fmt.Errorf("bench: fhirlake wire: %w", err)
	}
	defer flConn.Close(context.WithoutCancel(ctx))
	pgConn, err := pgx.Connect(ctx, env.Postgres.ConnString("postgres"))
	if err != nil {
		return nil, fmt.Errorf("bench: postgres: %w", err)
	}
	defer pgConn.Close(context.WithoutCancel(ctx))
	if err := loadWirePostgres(ctx, pgConn, n); err != nil {
		return nil, err
	}
	duck, err := newDuckDB(ctx)
	if err != nil {
		return nil, err
	}
	defer duck.Close()
	parquet := filepath.Join(dir, "stores", Datastore, "wire_rows.parquet")
	if _, err := duck.ExecContext(ctx, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet(%s)", wireTable, sqlString(parquet))); err != nil {
		return nil, fmt.Errorf("bench: duckdb: %w", err)
	}
	env.Setting(fmt.Sprintf("wire: `SELECT id, x, label FROM %s` (%d rows: bigint, double precision, text) read with pgx (pgconn, values decoded by the client itself) over one loopback TCP connection; fhirlake serves a zstd Parquet file registered as a view, PostgreSQL a heap table (with an index on id), both warm; DuckDB in-process reads the same Parquet file through %s", wireTable, n, DuckDBInterface))
	env.Setting(fmt.Sprintf("wire soak: %d pgx pool connections for %s, each looping over a point query, a 1,000-row range aggregate and a 100-row ordered scan, every answer checked", soakConnections, env.SoakDuration))
	q := fmt.Sprintf("SELECT id, x, label FROM %s", wireTable)
	want := wireChecksum(n)
	var out []Result
	for _, format := range []struct {
		name string
		code int16
	}{{"binary", pgx.BinaryFormatCode}, {"text", pgx.TextFormatCode}} {
		cs := []Contender{
			{Name: Fhirlake, Run: streamRows(flConn, q, format.code, want)},
			{Name: sysPostgres, Run: streamRows(pgConn, q, format.code, want)},
			{Name: sysDuckDB, Run: duckScan(duck, q, want)},
		}
		samples, err := Alternate(ctx, env.Warmup, env.Reps, cs)
		if err != nil {
			return nil, fmt.Errorf("wire %s: %w", format.name, err)
		}
		r, err := NewResult(s.Name(), fmt.Sprintf("select %d rows, %s results", n, format.name), 0, "throughput", "rows/s",
			HigherIsBetter, []string{Fhirlake, sysPostgres, sysDuckDB}, samples.Metric("throughput"))
		if err != nil {
			return nil, err
		}
		r.Note = "same rows (count and checksums); DuckDB reads in-process, no network"
		out = append(out, r)
		env.Logf("  %s: fhirlake %.0f rows/s, postgres %.0f rows/s, duckdb in-process %.0f rows/s", format.name,
			r.Systems[0].Stats.Median, r.Systems[1].Stats.Median, r.Systems[2].Stats.Median)
	}
	lat, err := s.latency(ctx, env, flConn, pgConn, duck)
	if err != nil {
		return nil, err
	}
	out = append(out, lat)
	soak, err := s.soak(ctx, env, fl.ConnString(), env.Postgres.ConnString("postgres"))
	if err != nil {
		return nil, err
	}
	return append(out, soak), nil
}

// streamRows reads the whole result through pgx's connection layer
// (pgconn), decoding each value itself, and checks it: the row count and
// checksums must be those of the generated rows. pgx's rows.Scan costs
// the client about as much as either server spends (on 2 cores a
// server that only replays bytes from memory reaches ~5.5 M rows/s
// through rows.Scan), which would hide the servers' difference.
func streamRows(conn *pgx.Conn, q string, format int16, want checksum) func(context.Context) (map[string]float64, error) {
	return func(ctx context.Context) (map[string]float64, error) {
		start := time.Now()
		rr := conn.PgConn().ExecParams(ctx, q, nil, nil, nil, []int16{format})
		var got checksum
		for rr.NextRow() {
			vals := rr.Values()
			if len(vals) != 3 {
				rr.Close()
				return nil, fmt.Errorf("bench: wire: %d columns", len(vals))
			}
			id, x, err := decodeWireRow(vals, format)
			if err != nil {
				rr.Close()
				return nil, err
			}
			got.add(id, x, string(vals[2]))
		}
		if _, err := rr.Close(); err != nil {
			return nil, err
		}
		elapsed := time.Since(start)
		if got != want {
			return nil, fmt.Errorf("bench: wire: got %+v, want %+v", got, want)
		}
		return map[string]float64{"throughput": float64(want.Rows) / elapsed.Seconds()}, nil
	}
}

// decodeWireRow decodes the bigint and double precision of a row in the
// binary or text format.
func decodeWireRow(vals [][]byte, format int16) (int64, float64, error) {
	if format == pgx.BinaryFormatCode {
		if len(vals[0]) != 8 || len(vals[1]) != 8 {
			return 0, 0, fmt.Errorf("bench: wire: binary values of %d and %d bytes", len(vals[0]), len(vals[1]))
		}
		return int64(binary.BigEndian.Uint64(vals[0])), math.Float64frombits(binary.BigEndian.Uint64(vals[1])), nil
	}
	id, err := strconv.ParseInt(string(vals[0]), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: wire: %w", err)
	}
	x, err := strconv.ParseFloat(string(vals[1]), 64)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: wire: %w", err)
	}
	return id, x, nil
}

// checksum summarises the streamed rows so both systems' answers compare.
type checksum struct {
	Rows, SumID, LabelBytes int64
	SumX                    float64
}

func (c *checksum) add(id int64, x float64, label string) {
	c.Rows++
	c.SumID += id
	c.SumX += x
	c.LabelBytes += int64(len(label))
}

// wireChecksum is the checksum of the rows i = 0..n-1: (i, i*0.25, "row i").
// Sums of multiples of 0.25 stay exact in float64 for n up to ~1e8.
func wireChecksum(n int) checksum {
	var c checksum
	for i := int64(0); i < int64(n); i++ {
		c.add(i, float64(i)*0.25, fmt.Sprintf("row %d", i))
	}
	return c
}

// makeWireLake creates a data folder whose data store holds one view,
// wire_rows, backed by a Parquet file that DuckDB writes.
func makeWireLake(ctx context.Context, dir string, n int) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	cat, err := catalog.Open(dir, catalog.Options{Command: "fhirlake bench"})
	if err != nil {
		return fmt.Errorf("bench: wire: %w", err)
	}
	defer cat.Close()
	if _, err := cat.CreateDatastore(Datastore); err != nil {
		return fmt.Errorf("bench: wire: %w", err)
	}
	dsDir := cat.DatastoreDir(Datastore)
	if err := os.MkdirAll(dsDir, 0o755); err != nil {
		return fmt.Errorf("bench: wire: %w", err)
	}
	const file = "wire_rows.parquet"
	if err := writeWireParquet(ctx, filepath.Join(dsDir, file), n); err != nil {
		return err
	}
	st, err := os.Stat(filepath.Join(dsDir, file))
	if err != nil {
		return fmt.Errorf("bench: wire: %w", err)
	}
	def := []byte(`{"resourceType":"ViewDefinition","name":"wire_rows","status":"draft","resource":"Basic","select":[{"column":[{"name":"id","path":"id"}]}]}`)
	return cat.PutView(Datastore, catalog.View{Name: wireTable, Resource: "Basic", Definition: def,
		Files: []catalog.File{{Path: file, Rows: int64(n), Bytes: st.Size()}}, Rows: int64(n), Updated: time.Now().UTC()})
}

// loadWirePostgres creates the same n rows in a PostgreSQL heap table.
func loadWirePostgres(ctx context.Context, conn *pgx.Conn, n int) error {
	if _, err := conn.Exec(ctx, fmt.Sprintf(`DROP TABLE IF EXISTS %[1]s;
CREATE TABLE %[1]s (id bigint, x double precision, label text);
INSERT INTO %[1]s SELECT i, i * 0.25, 'row ' || i FROM generate_series(0, %[2]d - 1) AS t(i)`, wireTable, n)); err != nil {
		return fmt.Errorf("bench: postgres %s: %w", wireTable, err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE INDEX ON %s (id)", wireTable)); err != nil {
		return fmt.Errorf("bench: postgres %s: %w", wireTable, err)
	}
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+wireTable); err != nil {
		return fmt.Errorf("bench: postgres %s: %w", wireTable, err)
	}
	return nil
}
