package catalog

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTokenExpired(t *testing.T) {
	at := time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		expires time.Time
		now     time.Time
		want    bool
	}{
		{name: "never", now: at.AddDate(100, 0, 0)},
		{name: "before", expires: at, now: at.Add(-time.Nanosecond)},
		{name: "at", expires: at, now: at, want: true},
		{name: "after", expires: at, now: at.Add(time.Hour), want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Token{Expires: tt.expires}.Expired(tt.now))
		})
	}
}

func TestPutToken(t *testing.T) {
	c := grantsCatalog(t)
	created := time.Date(2026, 11, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	require.NoError(t, c.PutToken(Token{ID: "taken", User: "alice", Hash: "sha256:x", Created: created}))
	tests := []struct {
		name    string
		tok     Token
		wantErr error  // errors.Is
		errText string // in the message
	}{
		{name: "new", tok: Token{ID: "abc123", User: "bob", Hash: "sha256:y"}},
		{name: "id taken", tok: Token{ID: "taken", User: "bob", Hash: "sha256:y"}, wantErr: ErrExists},
		{name: "unknown user", tok: Token{ID: "abc124", User: "carol", Hash: "sha256:y"}, wantErr: ErrNotFound, errText: `user "carol"`},
		{name: "no user", tok: Token{ID: "abc125", Hash: "sha256:y"}, wantErr: ErrNotFound},
		{name: "no hash", tok: Token{ID: "abc126", User: "bob"}, errText: "no hash"},
		{name: "no id", tok: Token{User: "bob", Hash: "sha256:y"}, errText: "invalid id"},
		{name: "bad id", tok: Token{ID: "a/b", User: "bob", Hash: "sha256:y"}, errText: "invalid id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.PutToken(tt.tok)
			if tt.wantErr == nil && tt.errText == "" {
				require.NoError(t, err)
				got, err := c.Token(tt.tok.ID)
				require.NoError(t, err)
				require.Equal(t, tt.tok.Hash, got.Hash)
				require.WithinDuration(t, time.Now(), got.Created, 2*time.Second, "a zero Created is now")
				return
			}
			require.Error(t, err)
			if tt.wantErr != nil {
				require.True(t, errors.Is(err, tt.wantErr), err)
			}
			require.ErrorContains(t, err, tt.errText)
		})
	}
	got, err := c.Token("taken")
	require.NoError(t, err)
	require.Equal(t, Token{ID: "taken", User: "alice", Hash: "sha256:x", Created: created.UTC()}, got, "kept, in UTC")
}

func TestTokens(t *testing.T) {
	c := grantsCatalog(t)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	toks := []Token{
		{ID: "t3", User: "bob", Hash: "h3", Created: day},
		{ID: "t2", User: "alice", Hash: "h2", Created: day.Add(time.Hour), Note: "ci", Expires: day.AddDate(0, 0, 90)},
		{ID: "t1", User: "alice", Hash: "h1", Created: day.Add(time.Hour)},
		{ID: "t0", User: "alice", Hash: "h0", Created: day.Add(2 * time.Hour)},
	}
	for _, tok := range toks {
		require.NoError(t, c.PutToken(tok))
	}
	ids := func(user string) []string {
		t.Helper()
		got, err := c.Tokens(user)
		require.NoError(t, err)
		var out []string
		for _, tok := range got {
			out = append(out, tok.ID)
		}
		return out
	}
	require.Equal(t, []string{"t1", "t2", "t0", "t3"}, ids(""), "by user, created, id")
	require.Equal(t, []string{"t1", "t2", "t0"}, ids("alice"))
	require.Equal(t, []string{"t3"}, ids("bob"))
	_, err := c.Tokens("carol")
	require.True(t, errors.Is(err, ErrNotFound), err)

	got, err := c.Token("t2")
	require.NoError(t, err)
	require.Equal(t, toks[1], got)
	raw, err := json.Marshal(Token{ID: "x"})
	require.NoError(t, err)
	require.NotContains(t, string(raw), "expires", "no expiry is left out")

	// Revoke one, then drop alice: her tokens go with her.
	require.NoError(t, c.DeleteToken("t1"))
	require.True(t, errors.Is(c.DeleteToken("t1"), ErrNotFound))
	_, err = c.Token("t1")
	require.True(t, errors.Is(err, ErrNotFound), err)
	require.Equal(t, []string{"t2", "t0", "t3"}, ids(""))
	require.NoError(t, c.DeleteUser("alice"))
	require.Equal(t, []string{"t3"}, ids(""))
	require.NoError(t, c.PutUser("alice", "v", false))
	require.Empty(t, ids("alice"), "a new alice does not inherit the old one's tokens")
}

func TestTokensReopen(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, c.PutUser("alice", "v", false))
	require.NoError(t, c.PutToken(Token{ID: "t1", User: "alice", Hash: "h"}))
	require.NoError(t, c.Close())
	c, err = Open(dir)
	require.NoError(t, err)
	defer c.Close()
	got, err := c.Token("t1")
	require.NoError(t, err)
	require.Equal(t, "alice", got.User)
}
