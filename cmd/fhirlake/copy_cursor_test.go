package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// copyCursorPython drives psycopg2: copy_expert in CSV and binary, and a
// named (server-side) cursor, which psycopg2 reads with DECLARE, FETCH
// FORWARD itersize and CLOSE.
const copyCursorPython = `
import io, psycopg2
conn = psycopg2.connect("")
cur = conn.cursor()
buf = io.StringIO()
cur.copy_expert("COPY (SELECT id, gender FROM patient ORDER BY id) TO STDOUT WITH CSV HEADER", buf)
lines = buf.getvalue().splitlines()
print("copy_csv", len(lines) - 1, lines[0])
raw = io.BytesIO()
cur.copy_expert("COPY (SELECT id FROM patient) TO STDOUT (FORMAT binary)", raw)
print("copy_binary", raw.getvalue()[:11] == b"PGCOPY\n\xff\r\n\x00")
try:
    cur.copy_expert("COPY patient FROM STDIN", io.StringIO("x\n"))
except psycopg2.Error as e:
    print("copy_from", e.pgcode)
conn.rollback()
cur.execute("SELECT id FROM patient ORDER BY id")
want = [r[0] for r in cur.fetchall()]
named = conn.cursor(name="patients")
named.itersize = 7
named.execute("SELECT id FROM patient ORDER BY id")
got = [r[0] for r in named]
named.close()
print("named", len(got), got == want)
named = conn.cursor(name="some")
named.execute("SELECT id, birth_date FROM patient ORDER BY id")
first = named.fetchmany(3)
rest = named.fetchall()
print("fetchmany", len(first), len(rest), type(first[0][1]).__name__)
named.close()
named = conn.cursor(name="inter")
named.execute("SELECT id, birth_date FROM patient ORDER BY id")
a = named.fetchmany(2)
cur.execute("SELECT count(*) FROM patient")
count = cur.fetchone()[0]
b = named.fetchall()
print("interleaved", len(a) + len(b), count, [r[0] for r in a + b] == want, type(b[0][1]).__name__)
named.close()
conn.commit()
held = conn.cursor(name="held", withhold=True)
held.execute("SELECT id FROM patient ORDER BY id")
conn.commit()
print("withhold", len(held.fetchall()))
held.close()
conn.close()
`

// cursorPsycopg3 drives psycopg 3's server-side cursor: DECLARE, then a
// protocol Describe of the cursor as a portal, then FETCH FORWARD.
const cursorPsycopg3 = `
import psycopg
with psycopg.connect("") as conn:
    want = [r[0] for r in conn.execute("SELECT id FROM patient ORDER BY id").fetchall()]
    with conn.cursor(name="p3") as cur:
        cur.itersize = 6
        cur.execute("SELECT id, birth_date FROM patient ORDER BY id")
        print("p3 columns", [d.name for d in cur.description])
        rows = list(cur)
        print("p3 rows", len(rows), [r[0] for r in rows] == want, type(rows[0][1]).__name__)
`

// TestCopyCursorClients drives COPY TO STDOUT and SQL cursors with real
// clients against a served demo data store: psql (\copy and COPY), pgx
// CopyTo in text, CSV and binary, and psycopg2 copy_expert and named
// cursors. A client that is not installed is skipped (failed under
// CI=true).
func TestCopyCursorClients(t *testing.T) {
	env := startClientServer(t)
	dir, err := filepath.Abs(filepath.Join("testdata", "clients"))
	require.NoError(t, err)
	n := int(env.patients)

	t.Run("psql", func(t *testing.T) {
		psql := requireTool(t, "psql")
		q := func(args ...string) string {
			return env.run(t, dir, psql, append([]string{"-X", "-v", "ON_ERROR_STOP=1", "-P", "pager=off"}, args...)...)
		}
		out := q("-c", `\copy (select id, gender from patient order by id) to stdout with csv header`)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		require.Len(t, lines, n+1, out)
		require.Equal(t, "id,gender", lines[0])
		// The same rows as a query, unaligned with a comma separator.
		sel := q("-At", "-F", ",", "-c", "select id, gender from patient order by id")
		require.Equal(t, strings.Join(lines[1:], "\n")+"\n", sel)
		require.Equal(t, out, q("-c", "COPY (select id, gender from patient order by id) TO STDOUT (FORMAT csv, HEADER)"))
		file := filepath.Join(t.TempDir(), "patients.tsv")
		q("-c", `\copy patient (id, gender) to '`+file+`'`)
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		require.Equal(t, n, bytes.Count(b, []byte("\n")))
		// Server-side files are refused.
		cmd := exec.Command(psql, "-X", "-v", "ON_ERROR_STOP=1", "-c", "COPY patient TO '/tmp/fhirlake-copy.csv'")
		cmd.Env = env.environ()
		msg, err := cmd.CombinedOutput()
		require.Error(t, err)
		require.Contains(t, string(msg), "permission denied: COPY to a server file is not allowed")
	})

	t.Run("pgx", func(t *testing.T) {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, env.url())
		require.NoError(t, err)
		defer conn.Close(ctx)
		copyTo := func(sql string) string {
			var buf bytes.Buffer
			tag, err := conn.PgConn().CopyTo(ctx, &buf, sql)
			require.NoError(t, err, sql)
			require.Equal(t, fmt.Sprintf("COPY %d", n), tag.String())
			return buf.String()
		}
		text := copyTo("COPY (SELECT id, birth_date FROM patient ORDER BY id) TO STDOUT")
		require.Equal(t, n, strings.Count(text, "\n"))
		var id, birth string
		require.NoError(t, conn.QueryRow(ctx, "SELECT id, birth_date::text FROM patient ORDER BY id LIMIT 1").Scan(&id, &birth))
		require.True(t, strings.HasPrefix(text, id+"\t"+birth+"\n"), text)
		csv := copyTo("COPY patient (id, birth_date) TO STDOUT (FORMAT csv)")
		require.Equal(t, n, strings.Count(csv, "\n"))
		bin := copyTo("COPY (SELECT id, birth_date FROM patient ORDER BY id) TO STDOUT (FORMAT binary)")
		require.True(t, strings.HasPrefix(bin, "PGCOPY\n\xff\r\n\x00"))
		require.Equal(t, id, firstBinaryField(t, []byte(bin)))
		// Cursors through pgx, alternately with the extended protocol
		// (Describe of the FETCH, binary results) and the simple one.
		tx, err := conn.Begin(ctx)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, "DECLARE c CURSOR FOR SELECT id FROM patient ORDER BY id")
		require.NoError(t, err)
		var ids []string
		for i := 0; ; i++ {
			var args []any
			if i%2 == 1 {
				args = append(args, pgx.QueryExecModeSimpleProtocol)
			}
			rows, err := tx.Query(ctx, "FETCH 6 FROM c", args...)
			require.NoError(t, err)
			got, err := pgx.CollectRows(rows, pgx.RowTo[string])
			require.NoError(t, err)
			if len(got) == 0 {
				break
			}
			ids = append(ids, got...)
		}
		require.Len(t, ids, n)
		require.Equal(t, id, ids[0])
		require.NoError(t, tx.Commit(ctx))
	})

	t.Run("odbc declare-fetch", func(t *testing.T) {
		isql := requireTool(t, "isql")
		driver := "/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so"
		if _, err := os.Stat(driver); err != nil {
			requireTool(t, driver)
		}
		// UseDeclareFetch makes psqlODBC read results through DECLARE
		// ... CURSOR WITH HOLD and FETCH of Fetch rows at a time, as
		// Tableau configures it (checked once with CommLog: BEGIN;
		// declare "SQL_CUR..." cursor with hold for ...; fetch 4 in ...).
		conf := t.TempDir()
		ini, err := os.ReadFile(filepath.Join(dir, "odbc", "odbc.ini"))
		require.NoError(t, err)
		ini = []byte(strings.NewReplacer("{{HOST}}", env.host, "{{PORT}}", env.port, "{{USER}}", env.user, "{{PASSWORD}}", env.password).Replace(string(ini)) +
			"UseDeclareFetch = 1\nFetch = 4\n")
		require.NoError(t, os.WriteFile(filepath.Join(conf, "odbc.ini"), ini, 0o600))
		inst, err := os.ReadFile(filepath.Join(dir, "odbc", "odbcinst.ini"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(conf, "odbcinst.ini"), inst, 0o600))
		cmd := exec.Command(isql, "-b", "-d|", "fhirlake")
		cmd.Env = append(env.environ(), "ODBCSYSINI="+conf, "ODBCINI="+filepath.Join(conf, "odbc.ini"))
		cmd.Stdin = strings.NewReader("SELECT id FROM patient ORDER BY id\nSELECT count(*) FROM patient\n")
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, string(b))
		out := string(b)
		require.NotContains(t, out, "[ISQL]ERROR", out)
		require.Equal(t, n+1, strings.Count(out, "\n"), out)
		require.Contains(t, out, fmt.Sprintf("\n%d\n", n))
	})

	t.Run("psycopg2", func(t *testing.T) {
		py := "/usr/bin/python3"
		if _, err := os.Stat(py); err != nil {
			requireTool(t, py)
		}
		if err := exec.Command(py, "-c", "import psycopg2").Run(); err != nil {
			requireTool(t, "python3-psycopg2")
		}
		out := env.run(t, dir, py, "-c", copyCursorPython)
		want := fmt.Sprint(n)
		require.Contains(t, out, "copy_csv "+want+" id,gender\n")
		require.Contains(t, out, "copy_binary True\n")
		require.Contains(t, out, "copy_from 42501\n")
		require.Contains(t, out, "named "+want+" True\n")
		require.Contains(t, out, fmt.Sprintf("fetchmany 3 %d date\n", n-3))
		require.Contains(t, out, "withhold "+want+"\n")
		require.Contains(t, out, "interleaved "+want+" "+want+" True date\n")
	})

	t.Run("psycopg3", func(t *testing.T) {
		py := "/usr/bin/python3"
		if err := exec.Command(py, "-c", "import psycopg").Run(); err != nil {
			requireTool(t, "python3-psycopg")
		}
		out := env.run(t, dir, py, "-c", cursorPsycopg3)
		require.Contains(t, out, "p3 columns ['id', 'birth_date']\n")
		require.Contains(t, out, fmt.Sprintf("p3 rows %d True date\n", n))
	})
}

// firstBinaryField returns the first field of the first tuple of binary
// COPY data as text.
func firstBinaryField(t *testing.T, data []byte) string {
	t.Helper()
	const header = 11 + 4 + 4
	require.Greater(t, len(data), header+2+4)
	p := data[header:]
	require.Equal(t, uint16(2), binary.BigEndian.Uint16(p))
	size := int(binary.BigEndian.Uint32(p[2:]))
	return string(p[6 : 6+size])
}
