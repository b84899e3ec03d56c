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
		// The catalog emulation through the Postgres parser.
		{"demo", "SELECT pg_catalog.current_schema(), current_schema, current_schemas(true)::text, session_user", "main|main|[pg_catalog, main]|alice"},
		{"demo", "SELECT c.relname, 'patient'::regclass = c.oid, c.oid::regclass FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(pat)' COLLATE pg_catalog.default",
			"patient|t|patient"},
		{"demo", "SELECT 'x' ~ 'y|x', 'ab' !~ '^b', 'AB' ~* 'b', 'a' ~ '^$'", "t|t|t|f"},
		{"demo", "SELECT format_type('int4'::regtype, NULL), format_type(1700, 655366), format_type(1009, -1), 'text'::regtype::oid", "integer|numeric(10,2)|text[]|25"},
		{"demo", "SELECT current_setting('server_version_num'), set_config('x', 'y', false), pg_encoding_to_char(6), pg_get_userbyid(10)", "150000|y|UTF8|fhirlake"},
		{"demo", "SELECT quote_ident('ab'), quote_ident('A b'), quote_ident('select'), parse_ident('a.\"B\"')::text", `ab|"A b"|"select"|[a, B]`},
		{"demo", "SELECT array_upper(ARRAY[1, 2, 3], 1), array_lower(ARRAY[1], 1), array_upper(ARRAY[]::int[], 1) IS NULL", "3|1|t"},
		{"demo", "SELECT count(*) > 100 FROM pg_catalog.pg_get_keywords() WHERE catcode IN ('R', 'U', 'T', 'C')", "t"},
		{"demo", "SELECT t.typname, a.typname FROM pg_type t JOIN pg_type a ON a.oid = t.typarray WHERE t.oid IN (20, 25, 1700) ORDER BY t.oid", "int8|_int8\ntext|_text\nnumeric|_numeric"},
		{"demo", "SELECT column_name, data_type, udt_name FROM information_schema.columns WHERE table_name = 'patient' ORDER BY ordinal_position",
			"id|text|text\ngender|text|text\nbirth_date|date|date\nvisits|bigint|int8"},
		{"demo", "SELECT count(*) FROM pg_index, pg_constraint, pg_inherits, pg_policy, pg_publication, pg_statistic_ext, pg_range", "0"},
		{"demo", "SELECT has_table_privilege('patient', 'SELECT'), pg_table_is_visible('patient'::regclass), obj_description('patient'::regclass, 'pg_class') IS NULL", "t|t|t"},
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
