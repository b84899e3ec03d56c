package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/lib/pq"
	"github.com/stretchr/testify/require"
)

// clientEnv is a running server with the demo data store and a SCRAM
// user, and how clients reach it (over TLS).
type clientEnv struct {
	host, port, user, password string
	patients                   int64
}

// environ is the PG* environment the client programs read.
func (c clientEnv) environ() []string {
	return append(os.Environ(), "PGHOST="+c.host, "PGPORT="+c.port, "PGUSER="+c.user,
		"PGPASSWORD="+c.password, "PGDATABASE=demo", "PGSSLMODE=require", "PGCONNECT_TIMEOUT=20")
}

func (c clientEnv) url() string {
	return fmt.Sprintf("postgres://%s:%s@%s/demo?sslmode=require", c.user, strings.ReplaceAll(c.password, " ", "%20"), net.JoinHostPort(c.host, c.port))
}

// run runs a client program and returns its output.
func (c clientEnv) run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = c.environ()
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %v:\n%s", name, args, out)
	return string(out)
}

// startClientServer serves a demo data store of 20 patients to the user
// alice, who must authenticate with SCRAM-SHA-256.
func startClientServer(t *testing.T) clientEnv {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"datastore", "--data", data, "create", "demo"}, &out, &out), out.String())
	withStdin(t, "s3cret pass\n", func() {
		require.NoError(t, run(ctx, []string{"user", "--data", data, "--password-stdin", "add", "alice"}, &out, &out), out.String())
	})
	srv := startServe(t, "--data", data, "--demo", "--demo-patients", "20")
	host, port, err := net.SplitHostPort(srv.pgAddr)
	require.NoError(t, err)
	return clientEnv{host: host, port: port, user: "alice", password: "s3cret pass", patients: 20}
}

// TestClients drives real Postgres clients against fhirlake, each over
// TLS with SCRAM: connect, the client's own introspection, queries of the
// patient and observation views. A client that is not installed is
// skipped, and fails the test under CI=true (scripts/test.sh installs
// them).
func TestClients(t *testing.T) {
	env := startClientServer(t)
	dir, err := filepath.Abs(filepath.Join("testdata", "clients"))
	require.NoError(t, err)
	want := fmt.Sprint(env.patients)

	t.Run("psql", func(t *testing.T) {
		psql := requireTool(t, "psql")
		q := func(args ...string) string {
			return env.run(t, dir, psql, append([]string{"-X", "-v", "ON_ERROR_STOP=1", "-P", "pager=off"}, args...)...)
		}
		require.Contains(t, q("-c", `\l`), "demo")
		require.Contains(t, q("-c", `\dn`), "main")
		require.Regexp(t, `main\s+\|\s+patient\s+\|\s+table`, q("-c", `\dt`))
		d := q("-c", `\d patient`)
		require.Contains(t, d, `Table "main.patient"`)
		require.Regexp(t, `birth_date\s+\|\s+date`, d)
		dplus := q("-c", `\d+ patient`)
		require.Regexp(t, `mrn\s+\|\s+text.*medical record number`, dplus)
		require.Contains(t, q("-c", `\dt+ patient`), "One row per patient")
		x := q("-c", `\x`, "-c", "SELECT count(*) AS n FROM patient")
		require.Regexp(t, `n\s+\|\s+`+want, x)
		require.Contains(t, q("-At", "-c", "SELECT count(*) > 0 FROM observation"), "t")
	})

	t.Run("pgx", func(t *testing.T) {
		ctx := context.Background()
		modes := map[string]pgx.QueryExecMode{
			"cache_statement": pgx.QueryExecModeCacheStatement, "cache_describe": pgx.QueryExecModeCacheDescribe,
			"describe_exec": pgx.QueryExecModeDescribeExec, "exec": pgx.QueryExecModeExec, "simple_protocol": pgx.QueryExecModeSimpleProtocol,
		}
		for name, mode := range modes {
			cfg, err := pgx.ParseConfig(env.url())
			require.NoError(t, err)
			cfg.DefaultQueryExecMode = mode
			conn, err := pgx.ConnectConfig(ctx, cfg)
			require.NoError(t, err, name)
			var n int64
			for i := 0; i < 3; i++ {
				require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM patient WHERE gender = $1 OR $1 = 'any'", "any").Scan(&n), name)
			}
			require.Equal(t, env.patients, n, name)
			var typ string
			require.NoError(t, conn.QueryRow(ctx, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'patient'::regclass AND attname = $1", "birth_date").Scan(&typ), name)
			require.Equal(t, "date", typ, name)
			rows, err := conn.Query(ctx, "SELECT id, birth_date FROM patient ORDER BY id")
			require.NoError(t, err, name)
			got, err := pgx.CollectRows(rows, pgx.RowToMap)
			require.NoError(t, err, name)
			require.Len(t, got, int(env.patients), name)
			require.NoError(t, conn.Close(ctx))
		}
	})

	t.Run("lib/pq", func(t *testing.T) {
		db, err := sql.Open("postgres", env.url())
		require.NoError(t, err)
		defer db.Close()
		var n int64
		require.NoError(t, db.QueryRow("SELECT count(*) FROM patient WHERE id <> $1", "none").Scan(&n))
		require.Equal(t, env.patients, n)
		var desc sql.NullString
		require.NoError(t, db.QueryRow("SELECT obj_description('patient'::regclass, 'pg_class')").Scan(&desc))
		require.Equal(t, "One row per patient: demographics.", desc.String)
		require.NoError(t, db.QueryRow("SELECT count(*) FROM observation").Scan(&n))
		require.Positive(t, n)
	})

	python := func(t *testing.T, which string) string {
		py := "/usr/bin/python3"
		if _, err := os.Stat(py); err != nil {
			requireTool(t, py)
		}
		mod := map[string]string{"psycopg2": "psycopg2", "psycopg": "psycopg", "sqlalchemy": "sqlalchemy, pandas"}[which]
		if err := exec.Command(py, "-c", "import "+mod).Run(); err != nil {
			requireTool(t, "python3-"+which)
		}
		return env.run(t, dir, py, filepath.Join(dir, "python", "clients.py"), which)
	}
	t.Run("psycopg2", func(t *testing.T) {
		out := python(t, "psycopg2")
		require.Contains(t, out, "patients "+want+"\n")
		require.Contains(t, out, "dates True\n")
		require.Contains(t, out, "description medical record number\n")
		require.Contains(t, out, "observations True\n")
	})
	t.Run("psycopg3", func(t *testing.T) {
		out := python(t, "psycopg")
		require.Contains(t, out, "patients "+want+"\n")
		require.Contains(t, out, "binary True date\n")
		require.Contains(t, out, "typeinfo 25 1009\n")
		require.Contains(t, out, "observations True\n")
	})
	t.Run("sqlalchemy+pandas", func(t *testing.T) {
		out := python(t, "sqlalchemy")
		require.Contains(t, out, "tables True True\n")
		require.Contains(t, out, "columns DATE medical record number\n")
		require.Contains(t, out, "table comment One row per patient: demographics.\n")
		require.Contains(t, out, "pandas "+want+" ['id', 'gender', 'birth_date']\n")
		require.Contains(t, out, "pandas observations True\n")
	})

	t.Run("jdbc", func(t *testing.T) {
		javac, java := requireTool(t, "javac"), requireTool(t, "java")
		jar := "/usr/share/java/postgresql.jar"
		if _, err := os.Stat(jar); err != nil {
			requireTool(t, jar)
		}
		classes := t.TempDir()
		env.run(t, dir, javac, "-d", classes, filepath.Join(dir, "java", "Clients.java"))
		out := env.run(t, dir, java, "-cp", classes+string(os.PathListSeparator)+jar, "Clients")
		require.Contains(t, out, "getTables true\n")
		require.Contains(t, out, "getColumns date/91 medical record number\n")
		require.Contains(t, out, "getTypeInfo true\n")
		require.Contains(t, out, "prepared10 "+fmt.Sprint(5*env.patients)+"\n")
		require.Contains(t, out, "observations true\n")
	})

	t.Run("node", func(t *testing.T) {
		node, npm := requireTool(t, "node"), requireTool(t, "npm")
		nodeDir := filepath.Join(dir, "node")
		if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "postgres")); err != nil {
			env.run(t, nodeDir, npm, "ci", "--no-audit", "--no-fund")
		}
		out := env.run(t, nodeDir, node, "clients.js")
		require.Contains(t, out, "pg tables true\n")
		require.Contains(t, out, "pg patients "+want+"\n")
		require.Contains(t, out, "pg prepared 1 true\n")
		require.Contains(t, out, "pg observations true\n")
		require.Contains(t, out, "postgres.js patients "+want+"\n")
		require.Contains(t, out, "postgres.js param true\n")
		require.Contains(t, out, "postgres.js udt date\n")
	})

	t.Run("odbc", func(t *testing.T) {
		isql := requireTool(t, "isql")
		driver := "/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so"
		if _, err := os.Stat(driver); err != nil {
			requireTool(t, driver)
		}
		conf := t.TempDir()
		ini, err := os.ReadFile(filepath.Join(dir, "odbc", "odbc.ini"))
		require.NoError(t, err)
		ini = []byte(strings.NewReplacer("{{HOST}}", env.host, "{{PORT}}", env.port, "{{USER}}", env.user, "{{PASSWORD}}", env.password).Replace(string(ini)))
		require.NoError(t, os.WriteFile(filepath.Join(conf, "odbc.ini"), ini, 0o600))
		inst, err := os.ReadFile(filepath.Join(dir, "odbc", "odbcinst.ini"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(conf, "odbcinst.ini"), inst, 0o600))
		// One connection for all statements: psqlODBC frees each statement
		// with DEALLOCATE and reuses the name for the next.
		var all strings.Builder
		cmd := exec.Command(isql, "-b", "-d|", "fhirlake")
		cmd.Env = append(env.environ(), "ODBCSYSINI="+conf, "ODBCINI="+filepath.Join(conf, "odbc.ini"))
		cmd.Stdin = strings.NewReader("SELECT count(*) FROM patient\nSELECT gender, count(*) FROM patient GROUP BY gender ORDER BY gender\nSELECT count(*) > 0 FROM observation\n")
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, string(b))
		all.Write(b)
		out := all.String()
		require.Contains(t, out, want+"\n")
		require.Contains(t, out, "female|")
		require.Contains(t, out, "1\n")
		require.NotContains(t, out, "[ISQL]ERROR")
	})
}
