package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/catalog"
)

// TestGrantCommand checks `fhirlake grant|revoke` against the catalog
// (the server stopped), including `user list`'s grants column.
func TestGrantCommand(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"datastore", "--data", data, "create", "a"}, &out, &out), out.String())
	for _, u := range []string{"root", "ana"} {
		withStdin(t, "pw\n", func() {
			require.NoError(t, run(ctx, []string{"user", "--data", data, "--password-stdin", "add", u}, &out, &out), out.String())
		})
	}
	require.Contains(t, out.String(), "added user root, the first user: granted admin on every data store (*)")
	require.Contains(t, out.String(), "added user ana; it has no role yet")

	tests := []struct {
		name    string
		args    []string
		want    string // in the output
		wantErr string
		usage   bool // a usage error (exit code 2)
	}{
		{name: "grant", args: []string{"grant", "analyst", "--datastore", "a", "ana"}, want: "granted analyst on a to ana"},
		{name: "flags first", args: []string{"grant", "--datastore", "a", "reader", "ana"}, want: "granted reader on a to ana"},
		{name: "again", args: []string{"grant", "analyst", "--datastore", "a", "ana"}, want: "granted analyst on a to ana"},
		{name: "revoke", args: []string{"revoke", "reader", "--datastore", "a", "ana"}, want: "revoked reader on a from ana"},
		{name: "revoke missing", args: []string{"revoke", "reader", "--datastore", "a", "ana"}, wantErr: "has no role"},
		{name: "no data store flag", args: []string{"grant", "analyst", "ana"}, wantErr: "--datastore is required", usage: true},
		{name: "unknown role", args: []string{"grant", "root", "--datastore", "a", "ana"}, wantErr: "unknown role", usage: true},
		{name: "missing user", args: []string{"grant", "analyst", "--datastore", "a"}, wantErr: "needs ROLE and USER", usage: true},
		{name: "unknown user", args: []string{"grant", "analyst", "--datastore", "a", "bob"}, wantErr: "not found"},
		{name: "unknown data store", args: []string{"grant", "analyst", "--datastore", "b", "ana"}, wantErr: "not found"},
		{name: "wildcard analyst", args: []string{"grant", "analyst", "--datastore", "*", "ana"}, wantErr: "cannot be granted on every data store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(ctx, append(tt.args[:1:1], append([]string{"--data", data}, tt.args[1:]...)...), &out, &out)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				var ue *usageError
				require.Equal(t, tt.usage, errors.As(err, &ue))
				return
			}
			require.NoError(t, err)
			require.Contains(t, out.String(), tt.want)
		})
	}

	// Each grant and revoke that reached the catalog is audited, refused
	// ones as failures; usage errors change nothing and are not.
	var got []string
	require.NoError(t, auditRows(t, ctx, data, func(r audit.Record) error {
		require.Equal(t, audit.KindGrant, r.Kind)
		require.Equal(t, "cli", r.Protocol)
		got = append(got, fmt.Sprintf("%s %s@%s %s %s", r.Action, r.Role, r.DataStore, r.Subject, r.Outcome.Result))
		return nil
	}))
	require.Equal(t, []string{
		"grant analyst@a ana 0", "grant reader@a ana 0", "grant analyst@a ana 0", "revoke reader@a ana 0",
		"revoke reader@a ana 4", "grant analyst@a bob 4", "grant analyst@b ana 4", "grant analyst@* ana 4",
	}, got)

	out.Reset()
	require.NoError(t, run(ctx, []string{"user", "--data", data, "list"}, &out, &out))
	require.Regexp(t, `(?m)^name\s+created\s+password changed\s+grants$`, out.String())
	require.Regexp(t, `(?m)^ana\s+\S+\s+\S+\s+analyst@a$`, out.String())
	require.Regexp(t, `(?m)^root\s+\S+\s+\S+\s+admin@\*$`, out.String())

	// Dropping the data store drops its grants.
	require.NoError(t, run(ctx, []string{"datastore", "--data", data, "delete", "a"}, &out, &out), out.String())
	cat, err := catalog.Open(data)
	require.NoError(t, err)
	defer cat.Close()
	grants, err := cat.Grants("ana")
	require.NoError(t, err)
	require.Empty(t, grants)
}

// TestGrantKeyedAudit checks that a grant extends a keyed audit chain only
// with its key, so that the chain still verifies.
func TestGrantKeyedAudit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	keyFile := filepath.Join(dir, "audit.key")
	key := []byte("0123456789abcdef0123456789abcdef")
	require.NoError(t, os.WriteFile(keyFile, key, 0o600))
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"datastore", "--data", data, "create", "a"}, &out, &out), out.String())
	withStdin(t, "pw\n", func() {
		require.NoError(t, run(ctx, []string{"user", "--data", data, "--password-stdin", "add", "root"}, &out, &out), out.String())
	})
	writeAuditLog(t, data, 2, key)

	err := run(ctx, []string{"grant", "--data", data, "analyst", "--datastore", "a", "root"}, &out, &out)
	require.ErrorContains(t, err, "--audit-key-file")
	roles, err := rolesOn(data, "root", "a")
	require.NoError(t, err)
	require.Equal(t, []string{"admin"}, roles, "no grant without its audit record")

	require.NoError(t, run(ctx, []string{"grant", "--data", data, "--audit-key-file", keyFile, "analyst", "--datastore", "a", "root"}, &out, &out))
	rep, err := testAuditReader(t, data, key).Verify(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, int(rep.Records))
	roles, err = rolesOn(data, "root", "a")
	require.NoError(t, err)
	require.Equal(t, []string{"admin", "analyst"}, roles)
}

// rolesOn opens the catalog of data to read a user's roles on a data store.
func rolesOn(data, user, ds string) ([]string, error) {
	cat, err := catalog.Open(data)
	if err != nil {
		return nil, err
	}
	defer cat.Close()
	return cat.RolesOn(user, ds)
}

// TestAuditedGrantUndo checks that a grant or revoke the audit log cannot
// record is undone, and that one that changed nothing stays so.
func TestAuditedGrantUndo(t *testing.T) {
	tests := []struct {
		name, verb, ds, role string
		want                 []string // ana's roles on a afterwards
	}{
		{name: "new grant undone", verb: "grant", ds: "a", role: "analyst", want: []string{"reader"}},
		{name: "existing grant kept", verb: "grant", ds: "a", role: "reader", want: []string{"reader"}},
		{name: "revoke undone", verb: "revoke", ds: "a", role: "reader", want: []string{"reader"}},
		{name: "refused revoke", verb: "revoke", ds: "a", role: "writer", want: []string{"reader"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			cat, err := catalog.Open(dir)
			require.NoError(t, err)
			defer cat.Close()
			_, err = cat.CreateDatastore("a")
			require.NoError(t, err)
			require.NoError(t, cat.PutUser("ana", "v", false))
			require.NoError(t, cat.Grant("ana", "a", "reader"))
			log, err := audit.Open(ctx, filepath.Join(dir, "audit"), audit.Options{})
			require.NoError(t, err)
			require.NoError(t, log.Close()) // every Append now fails

			err = auditedGrant(ctx, cat, log, cliActor, tt.verb, "ana", tt.ds, tt.role)
			require.ErrorIs(t, err, audit.ErrClosed)
			roles, err := cat.RolesOn("ana", "a")
			require.NoError(t, err)
			require.Equal(t, tt.want, roles)
		})
	}
}
