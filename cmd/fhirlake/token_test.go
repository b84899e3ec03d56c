package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/auth/apitoken"
	"github.com/fhirlake/fhirlake/catalog"
)

// tokenLake makes a data folder with the users given.
func tokenLake(t *testing.T, users ...string) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	for _, u := range users {
		withStdin(t, "pw\n", func() {
			require.NoError(t, run(context.Background(), []string{"user", "--data", data, "--password-stdin", "add", u}, &out, &out), out.String())
		})
	}
	return data
}

// readTokens opens the catalog of data to list every token.
func readTokens(t *testing.T, data string) []catalog.Token {
	t.Helper()
	cat, err := catalog.Open(data)
	require.NoError(t, err)
	defer cat.Close()
	toks, err := cat.Tokens("")
	require.NoError(t, err)
	return toks
}

// TestTokenCommand runs `fhirlake token create|list|revoke` in process,
// with the server stopped, and checks the catalog and the audit log.
func TestTokenCommand(t *testing.T) {
	ctx := context.Background()
	data := tokenLake(t, "root", "ana")
	secrets := map[string]string{} // test name → secret printed

	tests := []struct {
		name    string
		args    []string // after "token", before --data
		secret  bool     // stdout is only a secret and a newline
		want    string   // regexp on stdout (when not secret)
		stderr  string   // in stderr
		expires time.Duration
		wantErr string
		usage   bool // a usage error (exit code 2)
	}{
		{name: "create default", args: []string{"create", "--user", "ana"}, secret: true, expires: 90 * 24 * time.Hour, stderr: "not shown again"},
		{name: "create never", args: []string{"create", "--user", "ana", "--expires", "never", "--note", "nightly export"}, secret: true},
		{name: "create hours, flags after action", args: []string{"create", "--expires", "12h", "--user", "root"}, secret: true, expires: 12 * time.Hour},
		{name: "create days", args: []string{"--user", "root", "create", "--expires", "7d"}, secret: true, expires: 7 * 24 * time.Hour},
		{name: "unknown user", args: []string{"create", "--user", "bob"}, wantErr: `no user "bob"; add it first`, usage: true},
		{name: "no user", args: []string{"create"}, wantErr: "--user is required", usage: true},
		{name: "invalid user", args: []string{"create", "--user", "1x"}, wantErr: "invalid user name", usage: true},
		{name: "zero expiry", args: []string{"create", "--user", "ana", "--expires", "0s"}, wantErr: "positive duration", usage: true},
		{name: "negative days", args: []string{"create", "--user", "ana", "--expires", "-3d"}, wantErr: "positive duration", usage: true},
		{name: "bad expiry", args: []string{"create", "--user", "ana", "--expires", "soon"}, wantErr: "positive duration", usage: true},
		{name: "note with newline", args: []string{"create", "--user", "ana", "--note", "a\nb"}, wantErr: "one line", usage: true},
		{name: "missing action", args: nil, wantErr: "missing action", usage: true},
		{name: "unknown action", args: []string{"rotate"}, wantErr: "unknown action", usage: true},
		{name: "list with expires", args: []string{"list", "--expires", "1d"}, wantErr: "does not take --expires", usage: true},
		{name: "revoke with user", args: []string{"revoke", "--user", "ana", "0123456789ab"}, wantErr: "does not take --user", usage: true},
		{name: "revoke without id", args: []string{"revoke"}, wantErr: "exactly one ID", usage: true},
		{name: "revoke malformed id", args: []string{"revoke", "XYZ"}, wantErr: "not a token id", usage: true},
		{name: "revoke unknown", args: []string{"revoke", "0123456789ab"}, wantErr: "not found"},
		{name: "list all", args: []string{"list"}, want: `(?s)^id\s+user\s+created\s+expires\s+note\n` +
			`([0-9a-v]{12}\s+ana\s+\S+Z\s+\S+Z\s*\n|[0-9a-v]{12}\s+ana\s+\S+Z\s+never\s+nightly export\n){2}` +
			`([0-9a-v]{12}\s+root\s+\S+Z\s+\S+Z\s*\n){2}$`},
		{name: "list one user", args: []string{"list", "--user", "root"}, want: `(?s)^id.*\n(\S+\s+root\s+\S+\s+\S+\s*\n){2}$`},
		{name: "list unknown user", args: []string{"list", "--user", "bob"}, wantErr: "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			start := time.Now().Truncate(time.Second)
			err := run(ctx, append([]string{"token", "--data", data}, tt.args...), &out, &errOut)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				var ue *usageError
				require.Equal(t, tt.usage, errors.As(err, &ue), err)
				require.Empty(t, out.String())
				return
			}
			require.NoError(t, err, errOut.String())
			require.Contains(t, errOut.String(), tt.stderr)
			if !tt.secret {
				require.Regexp(t, tt.want, out.String())
				require.NotContains(t, out.String(), "sha256:", "never a hash")
				return
			}
			secret, ok := strings.CutSuffix(out.String(), "\n")
			require.True(t, ok)
			id, ok := apitoken.Parse(secret)
			require.True(t, ok, "stdout is the secret alone: %q", out.String())
			secrets[tt.name] = secret
			tok := findToken(t, data, id)
			require.True(t, apitoken.Matches(secret, tok.Hash))
			require.NotContains(t, tok.Hash, secret)
			require.Contains(t, errOut.String(), id)
			if tt.expires == 0 {
				require.True(t, tok.Expires.IsZero())
			} else {
				require.WithinRange(t, tok.Expires, start.Add(tt.expires), time.Now().Add(tt.expires))
			}
		})
	}

	// Revoke by id, then by secret; a revoked token is gone.
	var out bytes.Buffer
	id, _ := apitoken.Parse(secrets["create default"])
	require.NoError(t, run(ctx, []string{"token", "--data", data, "revoke", id}, &out, &out))
	require.Equal(t, "revoked token "+id+" of ana\n", out.String())
	out.Reset()
	id2, _ := apitoken.Parse(secrets["create hours, flags after action"])
	require.NoError(t, run(ctx, []string{"token", "--data", data, "revoke", secrets["create hours, flags after action"]}, &out, &out))
	require.Equal(t, "revoked token "+id2+" of root\n", out.String())
	err := run(ctx, []string{"token", "--data", data, "revoke", id}, &out, &out)
	require.ErrorContains(t, err, "not found")
	require.Len(t, readTokens(t, data), 2)

	// Every create and revoke that reached the catalog is audited, refused
	// ones as failures; usage errors other than an unknown user are not.
	// No secret is ever in the log.
	var got []string
	require.NoError(t, auditRows(t, ctx, data, func(r audit.Record) error {
		require.Equal(t, audit.KindToken, r.Kind)
		require.Equal(t, "cli", r.Protocol)
		require.Equal(t, "local", r.Actor.Method)
		msg := regexp.MustCompile(`[0-9a-v]{12}`).ReplaceAllString(r.Outcome.Message, "ID")
		got = append(got, strings.Join([]string{r.Action, r.Subject, string(r.Outcome.Result), msg}, " "))
		for _, s := range secrets {
			require.NotContains(t, r.Outcome.Message, s[len(apitoken.Prefix)+apitoken.IDLen:])
		}
		return nil
	}))
	require.Equal(t, []string{
		"create ana 0 token ID", "create ana 0 token ID", "create root 0 token ID", "create root 0 token ID",
		`create bob 4 token ID: token create: no user "bob"; add it first with 'fhirlake user add bob'`,
		`revoke  4 token ID: catalog: token "ID": catalog: not found`,
		"revoke ana 0 token ID", "revoke root 0 token ID",
		`revoke  4 token ID: catalog: token "ID": catalog: not found`,
	}, got)

	// Dropping a user drops its tokens.
	require.NoError(t, run(ctx, []string{"user", "--data", data, "drop", "ana"}, &out, &out))
	toks := readTokens(t, data)
	require.Len(t, toks, 1)
	require.Equal(t, "root", toks[0].User)
}

// findToken returns the token of id in data's catalog.
func findToken(t *testing.T, data, id string) catalog.Token {
	t.Helper()
	cat, err := catalog.Open(data)
	require.NoError(t, err)
	defer cat.Close()
	tok, err := cat.Token(id)
	require.NoError(t, err)
	return tok
}

// TestTokenListExpired checks list's expires column.
func TestTokenListExpired(t *testing.T) {
	data := tokenLake(t, "ana")
	cat, err := catalog.Open(data)
	require.NoError(t, err)
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tok := range []catalog.Token{
		{ID: "aaaaaaaaaaaa", User: "ana", Hash: "h", Created: created, Expires: created.Add(time.Hour)},
		{ID: "bbbbbbbbbbbb", User: "ana", Hash: "h", Created: created.Add(time.Second), Expires: created.AddDate(1, 0, 0)},
		{ID: "cccccccccccc", User: "ana", Hash: "h", Created: created.Add(2 * time.Second)},
	} {
		require.NoError(t, cat.PutToken(tok))
	}
	var out bytes.Buffer
	require.NoError(t, listTokens(cat, "", created.Add(2*time.Hour), &out))
	require.NoError(t, cat.Close())
	require.Equal(t, "id            user  created               expires               note\n"+
		"aaaaaaaaaaaa  ana   2026-01-01T00:00:00Z  expired               \n"+
		"bbbbbbbbbbbb  ana   2026-01-01T00:00:01Z  2027-01-01T00:00:00Z  \n"+
		"cccccccccccc  ana   2026-01-01T00:00:02Z  never                 \n", out.String())
}

// TestTokenKeyedAudit checks that, with a keyed audit chain, create and
// revoke need the key, and that nothing changes without it.
func TestTokenKeyedAudit(t *testing.T) {
	ctx := context.Background()
	data := tokenLake(t, "ana")
	keyFile := filepath.Join(t.TempDir(), "audit.key")
	key := []byte("0123456789abcdef0123456789abcdef")
	require.NoError(t, os.WriteFile(keyFile, key, 0o600))
	writeAuditLog(t, data, 2, key)

	var out bytes.Buffer
	err := run(ctx, []string{"token", "--data", data, "create", "--user", "ana"}, &out, &out)
	require.ErrorContains(t, err, "--audit-key-file")
	require.Empty(t, out.String(), "no secret without its audit record")
	require.Empty(t, readTokens(t, data))

	require.NoError(t, run(ctx, []string{"token", "--data", data, "--audit-key-file", keyFile, "create", "--user", "ana"}, &out, &bytes.Buffer{}))
	id, ok := apitoken.Parse(strings.TrimSpace(out.String()))
	require.True(t, ok)
	require.ErrorContains(t, run(ctx, []string{"token", "--data", data, "revoke", id}, &out, &out), "--audit-key-file")
	require.Len(t, readTokens(t, data), 1)
	require.NoError(t, run(ctx, []string{"token", "--data", data, "--audit-key-file", keyFile, "revoke", id}, &out, &out))
	require.Empty(t, readTokens(t, data))
	rep, err := testAuditReader(t, data, key).Verify(ctx)
	require.NoError(t, err)
	require.Equal(t, 4, int(rep.Records))
}

// TestTokenAuditUndo checks that a create or revoke the audit log cannot
// record is undone, and that no secret is printed then.
func TestTokenAuditUndo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat, err := catalog.Open(dir)
	require.NoError(t, err)
	defer cat.Close()
	require.NoError(t, cat.PutUser("ana", "v", false))
	require.NoError(t, cat.PutToken(catalog.Token{ID: "aaaaaaaaaaaa", User: "ana", Hash: "h", Note: "kept"}))
	log, err := audit.Open(ctx, filepath.Join(dir, "audit"), audit.Options{})
	require.NoError(t, err)
	require.NoError(t, log.Close()) // every Append now fails

	var out bytes.Buffer
	err = createToken(ctx, cat, log, catalog.Token{User: "ana"}, time.Hour, &out, &out)
	require.ErrorIs(t, err, audit.ErrClosed)
	require.Empty(t, out.String())
	err = revokeToken(ctx, cat, log, "aaaaaaaaaaaa", &out)
	require.ErrorIs(t, err, audit.ErrClosed)
	require.Empty(t, out.String())
	toks, err := cat.Tokens("")
	require.NoError(t, err)
	require.Len(t, toks, 1)
	require.Equal(t, "kept", toks[0].Note)
}

func TestParseExpiry(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "never"},
		{in: "90d", want: 90 * 24 * time.Hour},
		{in: "1d", want: 24 * time.Hour},
		{in: "12h", want: 12 * time.Hour},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "0d", wantErr: true},
		{in: "0", wantErr: true},
		{in: "-1h", wantErr: true},
		{in: "1.5d", wantErr: true},
		{in: "d", wantErr: true},
		{in: "36501d", wantErr: true},
		{in: "", wantErr: true},
		{in: "Never", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseExpiry(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
