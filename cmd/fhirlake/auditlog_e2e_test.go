package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// TestAuditLogView checks the SQL view audit_log end to end, with pgx
// over TCP against a real serve: after a FHIR request and a SQL statement
// by other users, an auditor of the data store reads their records (user,
// statement text, tables read, outcome) and nothing else of the data
// store; an auditor granted on "*" reads every data store's records; an
// analyst has no audit_log.
func TestAuditLogView(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	cli := func(args ...string) {
		t.Helper()
		out.Reset()
		require.NoError(t, run(ctx, append(args[:1:1], append([]string{"--data", data}, args[1:]...)...), &out, &out), out.String())
	}
	cli("datastore", "create", "a")
	cli("datastore", "create", "b")
	for _, u := range []string{"root", "ana", "rita", "audrey", "aldo"} {
		withStdin(t, "pw-"+u+"\n", func() { cli("user", "--password-stdin", "add", u) })
	}
	cli("grant", "analyst", "--datastore", "a", "ana")
	cli("grant", "reader", "--datastore", "a", "rita")
	cli("grant", "auditor", "--datastore", "a", "audrey")
	cli("grant", "auditor", "--datastore", "*", "aldo")
	srv := startServe(t, "--data", data)

	connect := func(user, db string) *pgx.Conn {
		t.Helper()
		conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s:pw-%s@%s/%s?sslmode=disable", user, user, srv.pgAddr, db))
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close(ctx) })
		return conn
	}
	fhirGet := func(user, path string) int {
		t.Helper()
		req, err := http.NewRequest("GET", "http://"+srv.httpAddr+path, nil)
		require.NoError(t, err)
		req.SetBasicAuth(user, "pw-"+user)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	count := func(conn *pgx.Conn, query string, args ...any) int64 {
		t.Helper()
		var n int64
		require.NoError(t, conn.QueryRow(ctx, query, args...).Scan(&n), query)
		return n
	}
	refused := func(conn *pgx.Conn, query, code string) {
		t.Helper()
		_, err := conn.Exec(ctx, query)
		var pgErr *pgconn.PgError
		require.True(t, errors.As(err, &pgErr), "%s: want a PgError, got %v", query, err)
		require.Equal(t, code, pgErr.Code, "%s: %s", query, pgErr.Message)
	}

	// Other users' interactions: a FHIR read on a, a SQL statement on a,
	// a FHIR read on b.
	statusA := fhirGet("rita", "/fhir/a/Patient/nobody")
	ana := connect("ana", "a")
	require.Equal(t, int64(0), count(ana, "SELECT count(*) FROM patient"))
	statusB := fhirGet("root", "/fhir/b/Patient/nobody")

	// The auditor of a sees them, through its own session on audit_log.
	audrey := connect("audrey", "a")
	var (
		actor, query, result string
		tables               []string
		rows                 int64
	)
	require.NoError(t, audrey.QueryRow(ctx, `SELECT actor, query, tables, row_count, result FROM audit_log
		WHERE kind = 'sql' AND datastore = 'a' ORDER BY seq LIMIT 1`).Scan(&actor, &query, &tables, &rows, &result))
	require.Equal(t, "ana", actor)
	require.Equal(t, "SELECT count(*) FROM patient", query)
	require.Equal(t, []string{"patient"}, tables)
	require.Equal(t, int64(1), rows)
	require.Equal(t, "0", result)
	require.Equal(t, int64(1), count(audrey, `SELECT count(*) FROM audit_log WHERE kind = 'fhir' AND query = 'GET /fhir/a/Patient/nobody'
		AND resources = ['Patient/nobody'] AND outcome_code = $1`, fmt.Sprint(statusA)))
	require.Equal(t, int64(1), count(audrey, "SELECT count(*) FROM audit_log WHERE kind = 'login' AND actor = 'ana' AND result = '0'"))
	// Only a's records.
	require.Equal(t, int64(0), count(audrey, "SELECT count(*) FROM audit_log WHERE datastore IS DISTINCT FROM 'a'"))
	// Its own statements appear from the next one on.
	mine := count(audrey, "SELECT count(*) FROM audit_log WHERE actor = 'audrey' AND kind = 'sql'")
	require.Equal(t, mine+1, count(audrey, "SELECT count(*) FROM audit_log WHERE actor = 'audrey' AND kind = 'sql'"))
	// Nothing but audit_log.
	refused(audrey, "SELECT * FROM patient", "42P01")
	refused(audrey, "SELECT * FROM main.patient", "42501")
	refused(audrey, "SELECT * FROM duckdb_tables()", "42501")
	var names []string
	r, err := audrey.Query(ctx, "SELECT c.relname FROM pg_catalog.pg_class c WHERE pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1")
	require.NoError(t, err)
	names, err = pgx.CollectRows(r, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{"audit_log"}, names)

	// The auditor of a has no session on b.
	_, err = pgx.Connect(ctx, fmt.Sprintf("postgres://audrey:pw-audrey@%s/b?sslmode=disable", srv.pgAddr))
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "want a PgError, got %v", err)
	require.Equal(t, "42501", pgErr.Code)

	// The auditor of every data store, connected to b, sees a's and b's.
	aldo := connect("aldo", "b")
	require.Equal(t, int64(1), count(aldo, "SELECT count(*) FROM audit_log WHERE datastore = 'a' AND kind = 'sql' AND actor = 'ana'"))
	require.Equal(t, int64(1), count(aldo, "SELECT count(*) FROM audit_log WHERE datastore = 'b' AND kind = 'fhir' AND outcome_code = $1", fmt.Sprint(statusB)))
	refused(aldo, "SELECT * FROM patient", "42P01")

	// The analyst has the views and no audit_log.
	refused(ana, "SELECT * FROM audit_log", "42P01")
	refused(ana, "SELECT * FROM audit.audit_log", "42501")
	require.Equal(t, int64(0), count(ana, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'audit_log'"))

	// The admin of every data store has both.
	root := connect("root", "a")
	require.Equal(t, int64(0), count(root, "SELECT count(*) FROM patient"))
	require.Equal(t, int64(1), count(root, "SELECT count(*) FROM audit_log WHERE datastore = 'b' AND kind = 'fhir'"))
}
