package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
)

// TestSQLAccessMatrix checks, with pgx over TCP, which roles may open a SQL
// session on which data store: admin, analyst and deid-analyst (on the
// de-identified views, where patient is deid.patient) on their own data
// stores only; reader and writer never (42501); and a revoked grant
// refuses the next connection. The auditor's session, on audit_log only,
// is TestAuditLogView's.
func TestSQLAccessMatrix(t *testing.T) {
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
	users := []string{"root", "adam", "ana", "rita", "walt", "dee", "audrey", "nobody"}
	for _, u := range users {
		withStdin(t, "pw-"+u+"\n", func() { cli("user", "--password-stdin", "add", u) })
	}
	cli("grant", "admin", "--datastore", "a", "adam")
	cli("grant", "analyst", "--datastore", "a", "ana")
	cli("grant", "reader", "--datastore", "a", "rita")
	cli("grant", "writer", "--datastore", "a", "walt")
	cli("grant", "deid-analyst", "--datastore", "a", "dee")
	cli("grant", "auditor", "--datastore", "*", "audrey")
	cli("grant", "reader", "--datastore", "b", "ana")

	connect := func(srv *server, user, db string) (*pgx.Conn, error) {
		return pgx.Connect(ctx, fmt.Sprintf("postgres://%s:pw-%s@%s/%s?sslmode=disable", user, user, srv.pgAddr, db))
	}
	srv := startServe(t, "--data", data)
	tests := []struct {
		user, db string
		allowed  bool
	}{
		{"root", "a", true}, // the first user: admin on *
		{"root", "b", true},
		{"adam", "a", true},
		{"adam", "b", false}, // admin of a only
		{"ana", "a", true},
		{"ana", "b", false}, // reader on b: FHIR only
		{"rita", "a", false},
		{"walt", "a", false},
		{"dee", "a", true}, // the de-identified views
		{"nobody", "a", false},
	}
	for _, tt := range tests {
		t.Run(tt.user+"/"+tt.db, func(t *testing.T) {
			conn, err := connect(srv, tt.user, tt.db)
			if !tt.allowed {
				var pgErr *pgconn.PgError
				require.True(t, errors.As(err, &pgErr), "want a PgError, got %v", err)
				require.Equal(t, "42501", pgErr.Code)
				require.Equal(t, fmt.Sprintf("permission denied for database %q", tt.db), pgErr.Message)
				require.Contains(t, pgErr.Hint, "admin or analyst")
				return
			}
			require.NoError(t, err)
			defer conn.Close(ctx)
			var n int64
			require.NoError(t, conn.QueryRow(ctx, "select count(*) from patient").Scan(&n))
			require.Zero(t, n)
		})
	}
	_, err := connect(srv, "ana", "b")
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr))
	require.Equal(t, `User "ana" holds reader on "b", which gives no SQL access.`, pgErr.Detail)
	require.Equal(t, "SQL on a data store needs the role admin or analyst; an admin grants it with: fhirlake grant analyst --datastore b ana", pgErr.Hint)
	_, err = connect(srv, "ana", "c")
	require.ErrorContains(t, err, "42501", "an unknown data store is refused like one without a grant")
	_, err = connect(srv, "root", "c")
	require.ErrorContains(t, err, "3D000", "an admin of every data store learns it does not exist")
	require.NoError(t, srv.stop())

	// A refusal is an audited login failure.
	refused := map[string]bool{}
	require.NoError(t, auditRows(t, ctx, data, func(r audit.Record) error {
		if r.Kind == audit.KindLogin && r.Outcome.Code == "42501" {
			refused[r.Actor.User+"/"+r.DataStore] = true
		}
		return nil
	}))
	for _, tt := range tests {
		require.Equal(t, !tt.allowed, refused[tt.user+"/"+tt.db], "audited refusal of %s on %s", tt.user, tt.db)
	}

	// Grants are read at each connection: after a revoke (and a grant)
	// the next connection sees the change.
	cli("revoke", "analyst", "--datastore", "a", "ana")
	cli("grant", "analyst", "--datastore", "a", "rita")
	srv = startServe(t, "--data", data)
	_, err = connect(srv, "ana", "a")
	require.ErrorContains(t, err, "42501")
	conn, err := connect(srv, "rita", "a")
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))
	require.NoError(t, srv.stop())
}
