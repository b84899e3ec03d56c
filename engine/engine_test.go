package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/fhirlake/fhirlake/wire"
)

// assertion is one statement of a script and what it must give.
type assertion struct {
	Query        string
	Database     string   // session database; "" means the script's
	Expected     [][]any  // rows, with Stringer values as text; nil skips the check
	ExpectedOIDs []uint32 // column type OIDs; nil skips the check
	ExpectedCols []string // column names; nil skips the check
	ExpectedCode string   // SQLSTATE of the expected error
	ExpectedPos  int      // error position; 0 skips the check
	ExpectedTag  string   // command tag; "" skips the check
}

// scriptTest runs assertions on a fresh engine after SetUp.
type scriptTest struct {
	Name       string
	Database   string // default "demo"
	SetUp      func(t *testing.T, env *testEnv)
	Assertions []assertion
}

const psqlDT = `SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;`

// psqlDescribeLookup and psqlDescribeColumns are the first and third
// queries of psql 15's \d patient (describe.c), the table lookup changed
// only to not select the oid, which differs between runs.
const psqlDescribeLookup = `SELECT n.nspname, c.relname
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.~) '^(patient)$' COLLATE pg_catalog.default
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1, 2;`

const psqlDescribeColumns = `SELECT a.attname,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
   FROM pg_catalog.pg_attrdef d
   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
  a.attnotnull,
  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
  a.attidentity,
  a.attgenerated
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = (SELECT oid FROM pg_catalog.pg_class WHERE relname = 'patient') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;`

func TestScripts(t *testing.T) {
	d := func(s string) time.Time { tm, _ := time.Parse("2006-01-02", s); return tm }
	tests := []scriptTest{
		{Name: "queries", Assertions: []assertion{
			{Query: "SELECT id, gender, birth_date, visits FROM patient ORDER BY id",
				ExpectedOIDs: []uint32{25, 25, 1082, 20}, ExpectedTag: "SELECT 3",
				Expected: [][]any{{"p1", "female", d("1970-01-02"), int64(3)}, {"p2", "male", d("1980-05-06"), int64(1)}, {"p3", "female", nil, int64(2)}}},
			{Query: "SELECT gender, count(*) FROM patient GROUP BY gender ORDER BY 1",
				ExpectedCols: []string{"gender", "count"}, Expected: [][]any{{"female", int64(2)}, {"male", int64(1)}}},
			{Query: "SELECT p.id, sum(o.value) AS total FROM patient p JOIN observation o ON o.patient_id = p.id GROUP BY 1 ORDER BY 1",
				ExpectedOIDs: []uint32{25, 701}, Expected: [][]any{{"p1", 4.0}, {"p2", 7.0}}},
			{Query: "WITH x AS (SELECT * FROM main.observation) SELECT count(*) FROM x WHERE code = 'bp'", Expected: [][]any{{int64(2)}}},
			{Query: "SELECT count(*) FROM demo.main.empty", Expected: [][]any{{int64(0)}}},
			{Query: "VALUES (1, 'a')", Expected: [][]any{{int64(1), "a"}}},
			{Query: "FROM patient SELECT id WHERE visits > 2", Expected: [][]any{{"p1"}}},
			{Query: "DESCRIBE patient", ExpectedTag: "SELECT 4"},
			{Query: "SUMMARIZE observation", ExpectedTag: "SELECT 4"},
			{Query: "SHOW TABLES", Expected: [][]any{{"empty"}, {"observation"}, {"patient"}}},
			{Query: "EXPLAIN SELECT * FROM patient", ExpectedTag: "EXPLAIN"},
			{Query: "-- only a comment", ExpectedTag: ""},
			{Query: "BEGIN", ExpectedTag: "BEGIN"},
			{Query: "SELECT 1", Expected: [][]any{{int64(1)}}},
			{Query: "COMMIT", ExpectedTag: "COMMIT"},
			{Query: "BEGIN", ExpectedTag: "BEGIN"},
			{Query: "SELECT id::INTEGER FROM patient", ExpectedCode: "22P02"},
			{Query: "SELECT 1", ExpectedCode: "25P02"},
			{Query: "ROLLBACK", ExpectedTag: "ROLLBACK"},
			{Query: "SELECT 2", Expected: [][]any{{int64(2)}}},
			{Query: "SET application_name = 'psql'", ExpectedTag: "SET"},
			{Query: "SET client_encoding TO 'UTF8'", ExpectedTag: "SET"},
		}},
		{Name: "types", Assertions: []assertion{
			{Query: "SELECT true, 1::TINYINT, 2::SMALLINT, 3::INTEGER, 4::BIGINT, 5::UTINYINT, 6::USMALLINT, 7::UINTEGER",
				ExpectedOIDs: []uint32{16, 21, 21, 23, 20, 21, 23, 20},
				Expected:     [][]any{{true, int64(1), int64(2), int64(3), int64(4), int64(5), int64(6), int64(7)}}},
			{Query: "SELECT 18446744073709551615::UBIGINT, 170141183460469231731687303715884105727::HUGEINT, 1.5::FLOAT, 2.25::DOUBLE, 12.5::DECIMAL(10,2), -0.05::DECIMAL(4,3)",
				ExpectedOIDs: []uint32{1700, 1700, 700, 701, 1700, 1700},
				Expected:     [][]any{{"18446744073709551615", "170141183460469231731687303715884105727", 1.5, 2.25, "12.50", "-0.050"}}},
			{Query: "SELECT 'x'::VARCHAR, DATE '2020-01-02', TIME '12:34:56.25', TIMESTAMP '2020-01-02 03:04:05.5', TIMESTAMPTZ '2020-01-02 03:04:05+02'",
				ExpectedOIDs: []uint32{25, 1082, 1083, 1114, 1184},
				Expected: [][]any{{"x", d("2020-01-02"), "12:34:56.25", time.Date(2020, 1, 2, 3, 4, 5, 5e8, time.UTC),
					time.Date(2020, 1, 2, 1, 4, 5, 0, time.UTC)}}},
			{Query: "SELECT INTERVAL '1 year 2 months 3 days 04:05:06.5', INTERVAL '-1 day', '6ec4afa7-fe40-4ccf-aa1f-7d658658c64d'::UUID, '{\"a\":[1,2]}'::JSON, 'ab'::BLOB",
				ExpectedOIDs: []uint32{1186, 1186, 2950, 114, 17},
				Expected:     [][]any{{"1 year 2 mons 3 days 04:05:06.5", "-1 days", "6ec4afa7-fe40-4ccf-aa1f-7d658658c64d", `{"a":[1,2]}`, []byte("ab")}}},
			{Query: "SELECT [true, NULL], [1::SMALLINT], [1, 2], [1::BIGINT], [1.5::FLOAT], [2.5::DOUBLE, 1e20], ['a b', 'c', NULL, '', 'q\"x', 'NULL']",
				ExpectedOIDs: []uint32{1000, 1005, 1007, 1016, 1021, 1022, 1009},
				Expected:     [][]any{{"{t,NULL}", "{1}", "{1,2}", "{1}", "{1.5}", "{2.5,1e+20}", `{"a b",c,NULL,"","q\"x","NULL"}`}}},
			{Query: "SELECT [DATE '2020-01-01'], [TIMESTAMP '2020-01-01 01:02:03'], [TIMESTAMPTZ '2020-01-01 00:00:00+00'], [1.5::DECIMAL(4,1)], [[1, 2], [3]], [{'a': 1}]",
				ExpectedOIDs: []uint32{1182, 1115, 1185, 1231, 1007, 1009},
				Expected:     [][]any{{"{2020-01-01}", `{"2020-01-01 01:02:03"}`, `{"2020-01-01 00:00:00+00"}`, "{1.5}", "{{1,2},{3}}", `{"{\"a\":1}"}`}}},
			{Query: "SELECT {'x': 1, 'y': 'q'}, MAP {'k': 1}, union_value(n := 2), 'a'::ENUM('a', 'b'), NULL::INTEGER",
				ExpectedOIDs: []uint32{25, 25, 25, 25, 23},
				Expected:     [][]any{{`{"x":1,"y":"q"}`, `{"k":1}`, `{"n":2}`, "a", nil}}},
		}},
		{Name: "errors", Assertions: []assertion{
			{Query: "SELEC 1", ExpectedCode: "42601", ExpectedPos: 1},
			{Query: "SELECT * FROM patient WHERE", ExpectedCode: "42601", ExpectedPos: 28},
			{Query: "SELECT 'é' FROM patient WHERE id = = 1", ExpectedCode: "42601", ExpectedPos: 36},
			{Query: "EXPLAIN SELECT FROM FROM", ExpectedCode: "42601", ExpectedPos: 21},
			{Query: "SELECT 1; SELECT 2", ExpectedCode: "42601"},
			{Query: "SELECT * FROM nosuch", ExpectedCode: "42P01"},
			{Query: "SELECT nosuch FROM patient", ExpectedCode: "42703"},
			{Query: "SELECT nosuch(1)", ExpectedCode: "42883"},
			{Query: "SELECT 'a'::INTEGER", ExpectedCode: "22P02"},
			{Query: "SELECT 9223372036854775807::BIGINT + 1", ExpectedCode: "22003"},
			{Query: "SELECT 1", Expected: [][]any{{int64(1)}}}, // the session survives errors
		}},
		{Name: "read only", Assertions: []assertion{
			{Query: "INSERT INTO patient VALUES ('x')", ExpectedCode: "42501"},
			{Query: "UPDATE patient SET id = 'x'", ExpectedCode: "42501"},
			{Query: "DELETE FROM patient", ExpectedCode: "42501"},
			{Query: "CREATE TABLE t (a INT)", ExpectedCode: "42501"},
			{Query: "CREATE VIEW v AS SELECT 1", ExpectedCode: "42501"},
			{Query: "DROP VIEW patient", ExpectedCode: "42501"},
			{Query: "COPY patient TO 'x.csv'", ExpectedCode: "42501"},
			{Query: "ATTACH ':memory:' AS x", ExpectedCode: "42501"},
			{Query: "DETACH other", ExpectedCode: "42501"},
			{Query: "EXPORT DATABASE 'x'", ExpectedCode: "42501"},
			{Query: "INSTALL httpfs", ExpectedCode: "42501"},
			{Query: "LOAD httpfs", ExpectedCode: "42501"},
			{Query: "EXPLAIN DELETE FROM patient", ExpectedCode: "42501"},
			{Query: "COPY patient FROM '/etc/passwd'", ExpectedCode: "42501"},
			{Query: "MERGE INTO patient USING patient p ON true WHEN MATCHED THEN DELETE", ExpectedCode: "42501"},
			{Query: "TRUNCATE patient", ExpectedCode: "42501"},
			{Query: "ALTER VIEW patient RENAME TO p", ExpectedCode: "42501"},
			{Query: "CHECKPOINT", ExpectedCode: "42501"},
			{Query: "PRAGMA threads = 1", ExpectedCode: "42501"},
			{Query: "SET threads = 1", ExpectedCode: "42501"},
			{Query: "SET enable_external_access = true", ExpectedCode: "42501"},
			{Query: "SET VARIABLE fhirlake_user = 'admin'", ExpectedCode: "42501"},
			{Query: "RESET threads", ExpectedCode: "42501"},
			{Query: "USE other", ExpectedCode: "42501"},
			{Query: "CALL checkpoint()", ExpectedCode: "42501"},
			{Query: "PRAGMA enable_profiling", ExpectedCode: "42501"},
			{Query: "SELECT * FROM read_csv_auto('/etc/passwd')", ExpectedCode: "42501"},
			{Query: "SELECT * FROM sniff_csv('/etc/passwd')", ExpectedCode: "42501"},
			{Query: "SELECT * FROM read_blob('/etc/passwd')", ExpectedCode: "42501"},
			{Query: "SELECT * FROM parquet_schema('x.parquet')", ExpectedCode: "42501"},
			{Query: "SELECT * FROM read_ndjson_objects('x.ndjson')", ExpectedCode: "42501"},
			{Query: "SELECT * FROM '/etc/passwd'", ExpectedCode: "42501"},
			{Query: "SELECT * FROM read_csv('/etc/passwd')", ExpectedCode: "42501", ExpectedPos: 15},
			{Query: "SELECT * FROM read_parquet('x.parquet')", ExpectedCode: "42501"},
			{Query: "SELECT count(*) FROM (SELECT * FROM read_json_auto('x.json'))", ExpectedCode: "42501"},
			{Query: "SELECT * FROM glob('*')", ExpectedCode: "42501"},
			{Query: "SELECT * FROM query('SELECT 1')", ExpectedCode: "42501"},
			{Query: "SELECT * FROM query_table('other.main.secret')", ExpectedCode: "42501"},
			{Query: "SELECT (SELECT content FROM read_text('x'))", ExpectedCode: "42501"},
			{Query: "SELECT * FROM 'stores/other/views/secret.parquet'", ExpectedCode: "42501"},
			{Query: "SELECT * FROM other.main.secret", ExpectedCode: "0A000", ExpectedPos: 15},
			{Query: "SELECT * FROM other.secret", ExpectedCode: "0A000"},
			{Query: "SELECT * FROM memory.main.x", ExpectedCode: "0A000"},
			{Query: "SELECT * FROM memory.fhirlake_pg.pg_class, memory.information_schema.tables", ExpectedCode: "0A000"},
			{Query: "SELECT * FROM patient WHERE id IN (SELECT answer::VARCHAR FROM other.secret)", ExpectedCode: "0A000"},
			{Query: "SHOW DATABASES", ExpectedCode: "42501"},
			{Query: "SHOW ALL TABLES", ExpectedCode: "42501"},
		}},
		{Name: "postgres compatibility", Assertions: []assertion{
			{Query: psqlDT, ExpectedCols: []string{"Schema", "Name", "Type", "Owner"},
				Expected: [][]any{{"main", "empty", "table", "fhirlake"}, {"main", "observation", "table", "fhirlake"}, {"main", "patient", "table", "fhirlake"}}},
			{Query: psqlDT, Database: "other", Expected: [][]any{{"main", "secret", "table", "fhirlake"}}},
			{Query: "SELECT current_database(), current_schema(), current_user, session_user",
				ExpectedCols: []string{"current_database", "current_schema", "current_user", "session_user"},
				Expected:     [][]any{{"demo", "main", "alice", "alice"}}},
			{Query: "select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) from pg_catalog.pg_attribute a join pg_class c on c.oid = a.attrelid where c.relname = 'patient' order by a.attnum",
				Expected: [][]any{{"id", "text"}, {"gender", "text"}, {"birth_date", "date"}, {"visits", "bigint"}}},
			{Query: psqlDescribeLookup, Expected: [][]any{{"main", "patient"}}},
			{Query: psqlDescribeColumns, Expected: [][]any{
				{"id", "text", nil, false, nil, "", ""}, {"gender", "text", nil, false, nil, "", ""},
				{"birth_date", "date", nil, false, nil, "", ""}, {"visits", "bigint", nil, false, nil, "", ""}}},
			{Query: "SELECT typname FROM pg_type WHERE oid = 1009", Expected: [][]any{{"_text"}}},
			{Query: "SELECT 'patient' ~ 'tie', 'patient' ~ '^tie', 'Patient' ~* '^pat', 'x' !~ 'y'", Expected: [][]any{{true, false, true, true}}},
			{Query: "SELECT 'pg_class', \"pg_class\".relname FROM pg_class /* pg_class */ WHERE relname ~ 'pat.*'",
				Expected: [][]any{{"pg_class", "patient"}}},
			{Query: "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(patient)$' COLLATE pg_catalog.default",
				Expected: [][]any{{"patient"}}},
		}},
		{Name: "refresh", SetUp: func(t *testing.T, env *testEnv) {
			env.cat.setViews("demo",
				view("patient", env.w.file("demo", "patient-2a.parquet", "SELECT 'p9' AS id"), env.w.file("demo", "patient-2b.parquet", "SELECT 'p8' AS id")),
				view("encounter", env.w.file("demo", "encounter.parquet", "SELECT 'e1' AS id")))
			env.cat.setViews("fresh", view("thing", env.w.file("fresh", "thing.parquet", "SELECT 1 AS n")))
			require.NoError(t, env.e.Refresh(context.Background(), "demo"))
			require.NoError(t, env.e.Refresh(context.Background(), "fresh"))
		}, Assertions: []assertion{
			{Query: "SELECT id FROM patient ORDER BY id", Expected: [][]any{{"p8"}, {"p9"}}},
			{Query: "SELECT * FROM encounter", Expected: [][]any{{"e1"}}},
			{Query: "SELECT * FROM observation", ExpectedCode: "42P01"},
			{Query: "SELECT * FROM thing", Database: "fresh", Expected: [][]any{{int64(1)}}},
			{Query: psqlDT, Expected: [][]any{{"main", "encounter", "table", "fhirlake"}, {"main", "patient", "table", "fhirlake"}}},
		}},
		{Name: "isolation", Assertions: []assertion{
			{Query: "SELECT * FROM secret", ExpectedCode: "42P01"},
			{Query: "SELECT * FROM secret", Database: "other", Expected: [][]any{{int64(42)}}},
			{Query: "SELECT * FROM patient", Database: "other", ExpectedCode: "42P01"},
			{Query: "SELECT * FROM demo.main.patient", Database: "other", ExpectedCode: "0A000"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) { runScript(t, tt) })
	}
}

func runScript(t *testing.T, tt scriptTest) {
	env := newEnv(t)
	if tt.SetUp != nil {
		tt.SetUp(t, env)
	}
	sessions := map[string]wire.Session{}
	defer func() {
		for _, s := range sessions {
			require.NoError(t, s.Close())
		}
	}()
	for _, a := range tt.Assertions {
		db := cmpOr(a.Database, tt.Database, "demo")
		s, ok := sessions[db]
		if !ok {
			var err error
			s, err = env.e.Open(context.Background(), db, "alice")
			require.NoError(t, err)
			sessions[db] = s
		}
		cols, got, tag, err := collect(context.Background(), s, a.Query)
		if a.ExpectedCode != "" {
			require.Error(t, err, a.Query)
			require.Equal(t, a.ExpectedCode, sqlstate.Code(err), "%s: %v", a.Query, err)
			if a.ExpectedPos != 0 {
				var se *sqlstate.Error
				require.ErrorAs(t, err, &se)
				require.Equal(t, a.ExpectedPos, se.Position, a.Query)
			}
			continue
		}
		require.NoError(t, err, a.Query)
		if a.Expected != nil {
			require.Equal(t, a.Expected, got, a.Query)
		}
		if a.ExpectedOIDs != nil {
			oids := make([]uint32, len(cols))
			for i, c := range cols {
				oids[i] = c.TypeOID
			}
			require.Equal(t, a.ExpectedOIDs, oids, a.Query)
		}
		if a.ExpectedCols != nil {
			names := make([]string, len(cols))
			for i, c := range cols {
				names[i] = c.Name
			}
			require.Equal(t, a.ExpectedCols, names, a.Query)
		}
		if a.ExpectedTag != "" || a.Query == "-- only a comment" {
			require.Equal(t, a.ExpectedTag, tag, a.Query)
		}
	}
}

func cmpOr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// collect runs a query and returns its rows; Stringer values become their
// text and must be the only non-contract types.
func collect(ctx context.Context, s wire.Session, query string) ([]wire.Column, [][]any, string, error) {
	r, err := s.Query(ctx, query)
	if err != nil {
		return nil, nil, "", err
	}
	defer r.Close()
	var out [][]any
	for r.Next() {
		row := make([]any, len(r.Values()))
		for i, v := range r.Values() {
			switch x := v.(type) {
			case nil, bool, int64, float64, string, []byte, time.Time:
				row[i] = x
			case fmt.Stringer:
				row[i] = x.String()
			default:
				return nil, nil, "", fmt.Errorf("value %v of type %T breaks the wire.Rows contract", v, v)
			}
		}
		out = append(out, row)
	}
	return r.Columns(), out, r.Tag(), r.Err()
}

func TestOpenUnknownDatabase(t *testing.T) {
	env := newEnv(t)
	_, err := env.e.Open(context.Background(), "nosuch", "alice")
	require.Equal(t, sqlstate.InvalidCatalogName, sqlstate.Code(err))
	open, err := env.e.Open(context.Background(), "other", "alice")
	require.NoError(t, err)
	defer open.Close()
	require.NoError(t, env.e.Drop(context.Background(), "other"))
	_, err = env.e.Open(context.Background(), "other", "alice")
	require.Equal(t, sqlstate.InvalidCatalogName, sqlstate.Code(err))
	_, _, _, err = collect(context.Background(), open, "SELECT * FROM secret")
	require.Equal(t, sqlstate.InvalidCatalogName, sqlstate.Code(err), "%v", err)
}

// TestLockDown bypasses the read-only guard with a raw connection: DuckDB
// itself must refuse file access outside the data folder and setting
// changes, while views over new files inside it still work.
func TestLockDown(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	outside := t.TempDir()
	_, err := env.w.db.Exec(fmt.Sprintf("COPY (SELECT 1 AS a) TO %s (FORMAT parquet)", quoteLiteral(filepath.Join(outside, "x.parquet"))))
	require.NoError(t, err)
	conn, err := env.e.db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	for _, q := range []string{
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_parquet(" + quoteLiteral(filepath.Join(outside, "x.parquet")) + ")",
		"SELECT * FROM read_parquet(" + quoteLiteral(env.cat.Dir()+"/../"+filepath.Base(outside)+"/x.parquet") + ")",
		"COPY (SELECT 1) TO " + quoteLiteral(filepath.Join(outside, "y.csv")),
		"ATTACH " + quoteLiteral(filepath.Join(outside, "x.db")) + " AS x",
		"INSTALL httpfs",
		"LOAD httpfs",
		"SET enable_external_access = true",
		"SET allowed_directories = ['/']",
		"SET lock_configuration = false",
	} {
		_, err := conn.ExecContext(ctx, q)
		require.Error(t, err, q)
		code := sqlstate.Code(mapError(ctx, err))
		require.Contains(t, []string{"42501", "22023", "55000"}, code, "%s: %v", q, err)
	}
	_, err = os.Stat(filepath.Join(outside, "y.csv"))
	require.True(t, os.IsNotExist(err))

	// Refresh after the lock-down: new files, a new data store.
	env.cat.setViews("late", view("t", env.w.file("late", "t.parquet", "SELECT 'ok' AS s")))
	require.NoError(t, env.e.Refresh(ctx, "late"))
	s, err := env.e.Open(ctx, "late", "bob")
	require.NoError(t, err)
	defer s.Close()
	_, rows, _, err := collect(ctx, s, "SELECT s FROM t")
	require.NoError(t, err)
	require.Equal(t, [][]any{{"ok"}}, rows)
}

func TestRefreshRejects(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	env.cat.setViews("memory", view("t", env.w.file("memory", "t.parquet", "SELECT 1")))
	require.Error(t, env.e.Refresh(ctx, "memory"))
	env.cat.setViews("bad", view("t", catalogFile("../../demo/views/patient-1.parquet")))
	require.ErrorContains(t, env.e.Refresh(ctx, "bad"), "outside the data store")
	require.Error(t, env.e.Refresh(ctx, "nosuch"))
}

func TestCancel(t *testing.T) {
	env := newEnv(t)
	s, err := env.e.Open(context.Background(), "demo", "alice")
	require.NoError(t, err)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, _, _, err = collect(ctx, s, "SELECT count(*) FROM range(100000000) a, range(100000) b WHERE a.range + b.range = -1")
	require.Equal(t, sqlstate.QueryCanceled, sqlstate.Code(err), "%v", err)
	require.Less(t, time.Since(start), 3*time.Second)
	// The session is usable afterwards.
	_, rows, _, err := collect(context.Background(), s, "SELECT 1")
	require.NoError(t, err)
	require.Equal(t, [][]any{{int64(1)}}, rows)
}

func TestVersion(t *testing.T) {
	env := newEnv(t)
	s, err := env.e.Open(context.Background(), "demo", "alice")
	require.NoError(t, err)
	defer s.Close()
	cols, rows, _, err := collect(context.Background(), s, "SELECT version(), pg_catalog.version()")
	require.NoError(t, err)
	require.Equal(t, "version", cols[0].Name)
	v := rows[0][0].(string)
	require.True(t, strings.HasPrefix(v, "PostgreSQL 15.0 (fhirlake, DuckDB v1.5.6)"), v)
	require.Equal(t, v, rows[0][1])
}

// TestPostgresArithmetic checks that division follows Postgres: integer
// division between integers.
func TestPostgresArithmetic(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	s, err := env.e.Open(ctx, "demo", "alice")
	require.NoError(t, err)
	defer s.Close()
	_, rows, _, err := collect(ctx, s, "SELECT 7/2, 7.0/2, -7/2, avg(visits)/2 FROM patient")
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, int64(3), rows[0][0])
	require.Equal(t, int64(-3), rows[0][2])
	require.InDelta(t, 1.0, rows[0][3], 1e-9)
}

// TestDivisionByZero checks Postgres' error for a zero divisor, and that
// division and modulo still work.
func TestDivisionByZero(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	s, err := env.e.Open(ctx, "demo", "alice")
	require.NoError(t, err)
	defer s.Close()
	for _, q := range []string{"SELECT 1/0", "SELECT 1.5/0", "SELECT 5 % 0", "SELECT visits / (visits - visits) FROM patient"} {
		_, _, _, err := collect(ctx, s, q)
		require.Equal(t, sqlstate.DivisionByZero, sqlstate.Code(err), "%s: %v", q, err)
	}
	_, rows, _, err := collect(ctx, s, "SELECT 7/2, 7 % 3, 7.0/2, sum(visits)/count(*), CASE WHEN false THEN 1/0 END FROM patient")
	require.NoError(t, err)
	require.Equal(t, []any{int64(3), int64(1), 3.5, 2.0, nil}, []any{rows[0][0], rows[0][1], toFloat(rows[0][2]), toFloat(rows[0][3]), rows[0][4]})
}

func toFloat(v any) any {
	if f, err := strconv.ParseFloat(fmt.Sprint(v), 64); err == nil {
		return f
	}
	return v
}
