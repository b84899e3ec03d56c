package auth

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xdg-go/scram"
)

// runExchange authenticates a client with password against v.
func runExchange(t *testing.T, v Verifier, known bool, password string) error {
	t.Helper()
	x, err := NewExchange(v, known)
	require.NoError(t, err)
	client, err := scram.SHA256.NewClient("", password, "")
	require.NoError(t, err)
	conv := client.NewConversation()
	first, err := conv.Step("")
	require.NoError(t, err)
	serverFirst, err := x.Step(first)
	require.NoError(t, err)
	final, err := conv.Step(serverFirst)
	require.NoError(t, err)
	serverFinal, err := x.Step(final)
	if err != nil {
		return err
	}
	_, err = conv.Step(serverFinal)
	require.NoError(t, err, "the client verifies the server's signature")
	require.True(t, conv.Valid())
	return nil
}

func TestExchange(t *testing.T) {
	v, err := NewVerifier("correct horse")
	require.NoError(t, err)
	require.NoError(t, runExchange(t, v, true, "correct horse"))
	require.True(t, errors.Is(runExchange(t, v, true, "wrong"), ErrBadPassword))
	require.True(t, errors.Is(runExchange(t, v, false, "correct horse"), ErrBadPassword), "an unknown user fails like a wrong password")

	x, err := NewExchange(v, true)
	require.NoError(t, err)
	_, err = x.Step("garbage")
	require.Error(t, err)
	require.False(t, errors.Is(err, ErrBadPassword))
}

func TestVerifierRoundTrip(t *testing.T) {
	v, err := NewVerifier("pässwörd")
	require.NoError(t, err)
	parsed, err := ParseVerifier(v.String())
	require.NoError(t, err)
	require.Equal(t, v, parsed)
	require.NoError(t, runExchange(t, parsed, true, "pässwörd"))
	_, err = NewVerifier("")
	require.Error(t, err)
}

// TestPostgresVerifier checks a verifier PostgreSQL 15.18 (Debian)
// computed on this project's build machine (SET password_encryption =
// 'scram-sha-256'; CREATE ROLE u PASSWORD 'secret'; SELECT rolpassword
// FROM pg_authid), so the format and derivation are PostgreSQL's own.
func TestPostgresVerifier(t *testing.T) {
	const pg = "SCRAM-SHA-256$4096:CIqTZiVWjCBQjORRZuTgTg==$PI9PNeFtz6DFuIYC4MMeZz1mkhNzCWmcJ0QU962spfs=:tkUuoqIkEiEM6NA2baLQ3y5qJaT0j/n8gIWPR0AjN+s="
	v, err := ParseVerifier(pg)
	require.NoError(t, err)
	require.Equal(t, pg, v.String())
	again, err := deriveVerifier("secret", v.Salt, v.Iterations)
	require.NoError(t, err)
	require.Equal(t, v, again)
}

func TestParseVerifierErrors(t *testing.T) {
	for _, s := range []string{
		"", "md5abc", "SCRAM-SHA-256$", "SCRAM-SHA-256$4096:c2FsdA==",
		"SCRAM-SHA-256$x:c2FsdA==$a:b", "SCRAM-SHA-256$4096:c2FsdA==$!!!:b",
		"SCRAM-SHA-256$4096:c2FsdA==$c2FsdA==:c2FsdA==",
	} {
		_, err := ParseVerifier(s)
		require.Error(t, err, s)
	}
}

func TestVerifierMatches(t *testing.T) {
	v, err := NewVerifier("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := ParseVerifier(v.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		password string
		want     bool
	}{{"correct horse", true}, {"correct horse ", false}, {"Correct horse", false}, {"", false}} {
		if got := parsed.Matches(tc.password); got != tc.want {
			t.Errorf("Matches(%q) = %v, want %v", tc.password, got, tc.want)
		}
	}
}
