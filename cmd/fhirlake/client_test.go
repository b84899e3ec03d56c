package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
)

// writeJWKS writes a key set of key under kid to a file and returns its path.
func writeJWKS(t *testing.T, key any, kid string) string {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key, KeyID: kid, Use: "sig"}}})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), kid+".json")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

// TestClientCommand runs fhirlake client through add, list and remove,
// each refusal included, on one data folder, and checks the audit log
// recorded every change and refusal.
func TestClientCommand(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	pub, priv := writeJWKS(t, &k.PublicKey, "k1"), writeJWKS(t, k, "k1")
	k2, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	rotated := writeJWKS(t, &k2.PublicKey, "k2")
	steps := []struct {
		name      string
		args      []string
		stdin     string
		wantOut   string
		wantErr   string
		wantUsage bool
	}{
		{name: "no action", args: []string{"client"}, wantErr: "missing action", wantUsage: true},
		{name: "unknown action", args: []string{"client", "rename", "x"}, wantErr: "unknown action", wantUsage: true},
		{name: "add without keys", args: []string{"client", "add", "bot"}, wantErr: "--jwks-file is required", wantUsage: true},
		{name: "list with --scope", args: []string{"client", "list", "--scope", "system/*.rs"}, wantErr: "does not take --scope", wantUsage: true},
		{name: "bad name", args: []string{"client", "add", "1bot", "--jwks-file", pub}, wantErr: "invalid name", wantUsage: true},
		{name: "private key", args: []string{"client", "add", "bot", "--jwks-file", priv}, wantErr: "register only the public key"},
		{name: "patient scope", args: []string{"client", "add", "bot", "--jwks-file", pub, "--scope", "patient/*.rs"}, wantErr: "not a system/"},
		{name: "add", args: []string{"client", "add", "bot", "--jwks-file", pub}, wantOut: "added client bot; it may be granted system/*.rs, and has no role yet: " +
			"fhirlake grant ROLE --datastore DS bot\nnote: the server now requires credentials from every client, and no user has a password"},
		{name: "add twice", args: []string{"client", "add", "bot", "--jwks-file", pub}, wantErr: "already exists"},
		{name: "rotate", args: []string{"client", "add", "--replace", "bot", "--jwks-file", rotated, "--scope", "system/Patient.read system/Observation.rs"},
			wantOut: "replaced the keys of client bot; it may be granted system/Patient.rs system/Observation.rs"},
		{name: "a user", args: []string{"user", "--password-stdin", "add", "alice"}, stdin: "pw\n", wantOut: "added user alice"},
		{name: "a user's name", args: []string{"client", "add", "alice", "--jwks-file", pub}, wantErr: "already exists"},
		{name: "replace a user", args: []string{"client", "add", "--replace", "alice", "--jwks-file", pub}, wantErr: `"alice" is a user, not a client`},
		{name: "no password for a client", args: []string{"user", "--password-stdin", "passwd", "bot"}, stdin: "pw\n", wantErr: `"bot" is a client, not a user`},
		{name: "grant like a user", args: []string{"grant", "reader", "--datastore", "*", "bot"}, wantErr: "cannot be granted on every data store"},
		{name: "grant auditor", args: []string{"grant", "auditor", "--datastore", "*", "bot"}, wantOut: "granted auditor on * to bot"},
		{name: "list", args: []string{"client", "list"}, wantOut: "system/Patient.rs system/Observation.rs  k2       auditor@*"},
		{name: "remove a user", args: []string{"client", "remove", "alice"}, wantErr: `"alice" is a user, not a client`},
		{name: "remove", args: []string{"client", "remove", "bot"}, wantOut: "removed client bot, its 1 grant(s) and 0 token(s)"},
		{name: "remove again", args: []string{"client", "remove", "bot"}, wantErr: "not found"},
		{name: "list after", args: []string{"client", "list"}, wantOut: "name  created  keys changed  scopes  key ids  grants\n"},
	}
	for _, s := range steps {
		var stdout, stderr bytes.Buffer
		args := append([]string{s.args[0], "--data", data}, s.args[1:]...)
		call := func() { err = run(ctx, args, &stdout, &stderr) }
		if s.stdin != "" {
			withStdin(t, s.stdin, call)
		} else {
			call()
		}
		if s.wantErr != "" {
			require.ErrorContains(t, err, s.wantErr, s.name)
			var ue *usageError
			require.Equal(t, s.wantUsage, errors.As(err, &ue), "%s: usage error", s.name)
			continue
		}
		require.NoError(t, err, "%s: %s", s.name, stderr.String())
		require.Contains(t, stdout.String(), s.wantOut, s.name)
	}

	// Every add, replace and remove, refused ones included, is audited;
	// usage errors and list are not.
	var got []string
	err = auditRows(t, ctx, data, func(r audit.Record) error {
		if r.Kind == audit.KindUser && strings.HasPrefix(r.Outcome.Message, "client ") {
			got = append(got, r.Action+" "+r.Subject+" "+string(r.Outcome.Result))
		}
		return nil
	})
	require.NoError(t, err)
	ok, refused := string(audit.Success), string(audit.MinorFailure)
	require.Equal(t, []string{
		"add bot " + refused, "add bot " + refused, "add bot " + ok, "add bot " + refused,
		"replace bot " + ok, "add alice " + refused, "replace alice " + refused,
		"remove alice " + refused, "remove bot " + ok, "remove bot " + refused,
	}, got)
}
