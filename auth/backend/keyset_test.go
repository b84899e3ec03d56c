package backend

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

func TestParseKeySet(t *testing.T) {
	k := clientKeys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	require.NoError(t, err)
	set := func(keys ...jose.JSONWebKey) []byte {
		b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
		require.NoError(t, err)
		return b
	}
	tests := []struct {
		name     string
		jwks     []byte
		wantKids []string
		wantErr  string
	}{
		{name: "RSA and EC", jwks: publicJWKS(t), wantKids: []string{"rsa1", "ec256", "ec384"}},
		{name: "RSA with alg", jwks: set(jose.JSONWebKey{Key: &k.rsa.PublicKey, KeyID: "a", Algorithm: "RS384"}), wantKids: []string{"a"}},
		{name: "private RSA key", jwks: set(jose.JSONWebKey{Key: k.rsa, KeyID: "a"}), wantErr: "private or symmetric"},
		{name: "private EC key", jwks: set(jose.JSONWebKey{Key: k.ec384, KeyID: "a"}), wantErr: "private or symmetric"},
		{name: "symmetric key", jwks: set(jose.JSONWebKey{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "a"}), wantErr: "private or symmetric"},
		{name: "no kid", jwks: set(jose.JSONWebKey{Key: &k.rsa.PublicKey}), wantErr: "no kid"},
		{name: "kid twice", jwks: set(jose.JSONWebKey{Key: &k.rsa.PublicKey, KeyID: "a"}, jose.JSONWebKey{Key: &k.ec256.PublicKey, KeyID: "a"}), wantErr: "used twice"},
		{name: "encryption key", jwks: set(jose.JSONWebKey{Key: &k.rsa.PublicKey, KeyID: "a", Use: "enc"}), wantErr: "not sig"},
		{name: "short RSA", jwks: set(jose.JSONWebKey{Key: &small.PublicKey, KeyID: "a"}), wantErr: "at least 2048 bits"},
		{name: "P-521", jwks: set(jose.JSONWebKey{Key: &p521.PublicKey, KeyID: "a"}), wantErr: "P-256 or P-384"},
		{name: "alg the key cannot verify", jwks: set(jose.JSONWebKey{Key: &k.ec256.PublicKey, KeyID: "a", Algorithm: "ES384"}), wantErr: `declares alg "ES384"`},
		{name: "HS256 declared", jwks: set(jose.JSONWebKey{Key: &k.rsa.PublicKey, KeyID: "a", Algorithm: "HS256"}), wantErr: `declares alg "HS256"`},
		{name: "no keys", jwks: []byte(`{"keys":[]}`), wantErr: "no keys"},
		{name: "a single JWK, not a set", jwks: []byte(`{"kty":"RSA","kid":"a"}`), wantErr: "no keys"},
		{name: "unknown kty", jwks: []byte(`{"keys":[{"kty":"XYZ","kid":"a"}]}`), wantErr: "key 0"},
		{name: "not JSON", jwks: []byte(`keys`), wantErr: "not a JSON Web Key Set"},
		{name: "too long", jwks: []byte(`{"keys":[` + strings.Repeat(" ", MaxKeySetBytes) + `]}`), wantErr: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseKeySet(tt.jwks)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.True(t, strings.HasPrefix(err.Error(), "backend: "), err.Error())
				return
			}
			require.NoError(t, err)
			var kids []string
			for _, k := range keys {
				require.True(t, k.IsPublic())
				kids = append(kids, k.KeyID)
			}
			require.Equal(t, tt.wantKids, kids)
		})
	}
}
