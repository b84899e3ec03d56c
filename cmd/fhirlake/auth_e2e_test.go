package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// withStdin runs fn with standard input reading input.
func withStdin(t *testing.T, input string, fn func()) {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	_, err = w.WriteString(input)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old; r.Close() }()
	fn()
}

// TestAuthAndTLS checks the Postgres listener's security with real
// clients: trust for the quickstart, SCRAM-SHA-256 once a user exists,
// TLS with the persisted self-signed certificate, and the start-up refusal
// of trust beyond loopback.
func TestAuthAndTLS(t *testing.T) {
	psqlBin := requireTool(t, "psql")
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"datastore", "--data", data, "create", "demo"}, &out, &out), out.String())

	psql := func(addr, conninfo, password string) (string, error) {
		host, port, _ := strings.Cut(addr, ":")
		cmd := exec.Command(psqlBin, "-X", "-At", "-c", "select count(*) from patient",
			fmt.Sprintf("host=%s port=%s dbname=demo connect_timeout=10 %s", host, port, conninfo))
		cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
		b, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(b)), err
	}
	pgCode := func(err error) string {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			return pgErr.Code
		}
		return fmt.Sprintf("not a PgError: %v", err)
	}

	// No user: fhirlake is trusted on loopback, no one else.
	srv := startServe(t, "--data", data)
	got, err := psql(srv.pgAddr, "user=fhirlake sslmode=disable", "")
	require.NoError(t, err, got)
	require.Equal(t, "0", got)
	got, err = psql(srv.pgAddr, "user=fhirlake sslmode=require", "")
	require.NoError(t, err, got, "TLS is offered on loopback too")
	_, err = pgx.Connect(ctx, fmt.Sprintf("postgres://mallory@%s/demo?sslmode=disable", srv.pgAddr))
	require.Equal(t, "28000", pgCode(err))
	require.NoError(t, srv.stop())
	certPath := filepath.Join(data, "tls", "server.crt")
	require.FileExists(t, certPath)

	// Trust beyond loopback is refused at start-up.
	err = run(ctx, []string{"serve", "--data", data, "--pg", "0.0.0.0:0", "--http", "127.0.0.1:0"}, &out, &out)
	require.ErrorContains(t, err, "fhirlake user add")

	// A user: SCRAM-SHA-256 from now on.
	withStdin(t, "s3cret pass\n", func() {
		out.Reset()
		require.NoError(t, run(ctx, []string{"user", "--data", data, "--password-stdin", "add", "alice"}, &out, &out), out.String())
	})
	withStdin(t, "other\n", func() {
		require.ErrorContains(t, run(ctx, []string{"user", "--data", data, "--password-stdin", "add", "alice"}, &out, &out), "already exists")
	})
	out.Reset()
	require.NoError(t, run(ctx, []string{"user", "--data", data, "list"}, &out, &out))
	require.Contains(t, out.String(), "alice")
	require.NotContains(t, out.String(), "s3cret")

	srv = startServe(t, "--data", data)
	got, err = psql(srv.pgAddr, "user=alice sslmode=require", "s3cret pass")
	require.NoError(t, err, got)
	require.Equal(t, "0", got)
	got, err = psql(srv.pgAddr, "user=alice sslmode=disable", "wrong")
	require.Error(t, err)
	require.Contains(t, got, "password authentication failed")
	got, err = psql(srv.pgAddr, "user=fhirlake sslmode=disable", "anything")
	require.Error(t, err, "no more trust once a user exists")
	require.Contains(t, got, "password authentication failed")

	// pgx verifies the persisted certificate and the host name.
	url := fmt.Sprintf("postgres://alice:%s@%s/demo?sslmode=verify-full&sslrootcert=%s", "s3cret%20pass", srv.pgAddr, certPath)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	var n int64
	require.NoError(t, conn.QueryRow(ctx, "select count(*) from patient").Scan(&n))
	require.Zero(t, n)
	require.True(t, conn.PgConn().Conn() != nil)
	conn.Close(ctx)
	_, err = pgx.Connect(ctx, fmt.Sprintf("postgres://alice:wrong@%s/demo?sslmode=verify-full&sslrootcert=%s", srv.pgAddr, certPath))
	require.Equal(t, "28P01", pgCode(err))
	_, err = pgx.Connect(ctx, fmt.Sprintf("postgres://nobody:x@%s/demo?sslmode=require", srv.pgAddr))
	require.Equal(t, "28P01", pgCode(err), "an unknown user fails like a wrong password")
	require.NoError(t, srv.stop())

	// Users are managed with the server stopped; the password changes.
	withStdin(t, "new one\n", func() {
		require.NoError(t, run(ctx, []string{"user", "--data", data, "--password-stdin", "passwd", "alice"}, &out, &out))
	})
	srv = startServe(t, "--data", data)
	_, err = psql(srv.pgAddr, "user=alice sslmode=require", "s3cret pass")
	require.Error(t, err)
	got, err = psql(srv.pgAddr, "user=alice sslmode=require", "new one")
	require.NoError(t, err, got)
	require.NoError(t, srv.stop())

	require.NoError(t, run(ctx, []string{"user", "--data", data, "drop", "alice"}, &out, &out))
	require.ErrorContains(t, run(ctx, []string{"user", "--data", data, "drop", "alice"}, &out, &out), "not found")
}
