package catalog

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/auth"
)

// clientJWKS returns a key set of one EC public key and the same set
// holding the private key.
func clientJWKS(t *testing.T) (public, private []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	enc := func(key any) []byte {
		b, err := json.MarshalIndent(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key, KeyID: "k1", Use: "sig"}}}, "", "  ")
		require.NoError(t, err)
		return b
	}
	return enc(&k.PublicKey), enc(k)
}

func TestPutClient(t *testing.T) {
	pub, priv := clientJWKS(t)
	tests := []struct {
		name    string
		setup   func(c *Catalog)
		client  string
		jwks    []byte
		scopes  string
		replace bool
		wantErr string
		isErr   error
	}{
		{name: "register", client: "bot", jwks: pub, scopes: "system/*.rs"},
		{name: "v1 scopes stored canonical", client: "bot", jwks: pub, scopes: "system/Patient.read  system/Observation.rs"},
		{name: "private key refused", client: "bot", jwks: priv, scopes: "system/*.rs", wantErr: "register only the public key"},
		{name: "not a key set", client: "bot", jwks: []byte(`{}`), scopes: "system/*.rs", wantErr: "no keys"},
		{name: "patient scope refused", client: "bot", jwks: pub, scopes: "patient/*.rs", wantErr: "not a system/"},
		{name: "no scope", client: "bot", jwks: pub, scopes: "", wantErr: "no scope"},
		{name: "bad name", client: "1bot", jwks: pub, scopes: "system/*.rs", wantErr: "invalid client name"},
		{name: "name of a user", setup: func(c *Catalog) { require.NoError(t, c.PutUser("bot", "v", false)) },
			client: "bot", jwks: pub, scopes: "system/*.rs", isErr: ErrExists},
		{name: "replacing a user", setup: func(c *Catalog) { require.NoError(t, c.PutUser("bot", "v", false)) },
			client: "bot", jwks: pub, scopes: "system/*.rs", replace: true, wantErr: `"bot" is a user, not a client`},
		{name: "replacing a missing client", client: "bot", jwks: pub, scopes: "system/*.rs", replace: true, isErr: ErrNotFound},
		{name: "twice", setup: func(c *Catalog) { require.NoError(t, c.PutClient("bot", pub, "system/*.rs", false)) },
			client: "bot", jwks: pub, scopes: "system/*.rs", isErr: ErrExists},
		{name: "key rotation", setup: func(c *Catalog) { require.NoError(t, c.PutClient("bot", pub, "system/*.cruds", false)) },
			client: "bot", jwks: pub, scopes: "system/*.rs", replace: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Open(t.TempDir())
			require.NoError(t, err)
			defer c.Close()
			if tt.setup != nil {
				tt.setup(c)
			}
			err = c.PutClient(tt.client, tt.jwks, tt.scopes, tt.replace)
			switch {
			case tt.isErr != nil:
				require.True(t, errors.Is(err, tt.isErr), "%v", err)
				return
			case tt.wantErr != "":
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			u, err := c.User(tt.client)
			require.NoError(t, err)
			require.True(t, u.IsClient())
			require.Equal(t, KindClient, u.Kind)
			require.Empty(t, u.Verifier)
			require.JSONEq(t, string(tt.jwks), string(u.JWKS))
			allowed := map[string]string{"system/*.rs": "system/*.rs", "system/Patient.read  system/Observation.rs": "system/Patient.rs system/Observation.rs"}
			require.Equal(t, allowed[tt.scopes], u.Scopes)
		})
	}
}

// TestClientIsNoUser checks that a client has no password: its empty
// verifier does not parse, so SCRAM and HTTP Basic refuse it, and
// PutUser cannot give it one. Removing it revokes its tokens.
func TestClientIsNoUser(t *testing.T) {
	pub, _ := clientJWKS(t)
	c, err := Open(t.TempDir())
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.PutClient("bot", pub, "system/*.rs", false))
	u, err := c.User("bot")
	require.NoError(t, err)
	_, err = auth.ParseVerifier(u.Verifier)
	require.Error(t, err)
	v, err := auth.NewVerifier("pw")
	require.NoError(t, err)
	require.ErrorContains(t, c.PutUser("bot", v.String(), true), `"bot" is a client, not a user`)
	require.True(t, errors.Is(c.PutUser("bot", v.String(), false), ErrExists))

	_, err = c.CreateDatastore("ward")
	require.NoError(t, err)
	require.NoError(t, c.Grant("bot", "ward", "reader"))
	require.NoError(t, c.PutToken(Token{ID: "abc", User: "bot", Hash: "h", Scope: "system/*.rs", Expires: time.Now().Add(time.Minute)}))
	tok, err := c.Token("abc")
	require.NoError(t, err)
	require.Equal(t, "system/*.rs", tok.Scope)
	users, err := c.Users()
	require.NoError(t, err)
	require.Len(t, users, 1, "clients are listed with the users")
	require.NoError(t, c.DeleteUser("bot"))
	_, err = c.Token("abc")
	require.True(t, errors.Is(err, ErrNotFound))
	roles, err := c.RolesOn("bot", "ward")
	require.NoError(t, err)
	require.Empty(t, roles)
}
