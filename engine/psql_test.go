package engine

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/wire"
)

// TestPsql drives the real psql client through the wire server, so the
// catalog queries tested are exactly the ones psql sends. It is skipped
// when psql is not installed, and fails instead under CI=true.
func TestPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("psql is required under CI=true: %v", err)
		}
		t.Skip("psql not installed")
	}
	env := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	srv := wire.NewServer(env.e, wire.Options{})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Shutdown(context.Background()))
		cancel()
		<-done
	})
	port := ln.Addr().(*net.TCPAddr).Port
	run := func(db, cmd string) (string, error) {
		out, err := exec.Command(psql, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
			fmt.Sprintf("host=127.0.0.1 port=%d dbname=%s user=alice sslmode=disable", port, db), "-c", cmd).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	tests := []struct{ db, cmd, want string }{
		{"demo", `\dt`, "main|empty|table|fhirlake\nmain|observation|table|fhirlake\nmain|patient|table|fhirlake"},
		{"other", `\dt`, "main|secret|table|fhirlake"},
		{"other", `\d`, "main|secret|table|fhirlake"},
		{"demo", `\dt pat*`, "main|patient|table|fhirlake"},
		{"demo", `\dn`, "main|fhirlake"},
		{"demo", `\l`, "demo|fhirlake|UTF8|C|C||libc|"},
		{"demo", "SELECT current_database(), current_user, count(*) FROM patient", "demo|alice|3"},
		{"demo", "SELECT [1, NULL], 1.50::DECIMAL(5,2), DATE '2020-01-02', INTERVAL '1 day'", "{1,NULL}|1.50|2020-01-02|1 day"},
	}
	for _, tt := range tests {
		out, err := run(tt.db, tt.cmd)
		require.NoError(t, err, "%s: %s", tt.cmd, out)
		require.Equal(t, tt.want, out, tt.cmd)
	}
	describe, err := exec.Command(psql, "-X", fmt.Sprintf("host=127.0.0.1 port=%d dbname=demo user=alice sslmode=disable", port), "-c", `\d patient`).CombinedOutput()
	require.NoError(t, err, string(describe))
	for _, want := range []string{`Table "main.patient"`, " id         | text   |", " birth_date | date   |", " visits     | bigint |"} {
		require.Contains(t, string(describe), want)
	}
	out, err := run("demo", "SELECT version()")
	require.NoError(t, err, out)
	require.True(t, strings.HasPrefix(out, "PostgreSQL 15.0 (fhirlake"), out)
	out, err = run("demo", "DELETE FROM patient")
	require.Error(t, err)
	require.Contains(t, out, "read-only")
}
