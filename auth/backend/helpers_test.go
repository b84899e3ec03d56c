package backend

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/url"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
)

// testNow is the fixed clock of the endpoint tests.
var testNow = time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)

// testKeys are a client's private keys, by kid, and a stranger's RSA key.
type testKeys struct {
	rsa, other *rsa.PrivateKey
	ec256      *ecdsa.PrivateKey
	ec384      *ecdsa.PrivateKey
}

var (
	keysOnce sync.Once
	keys     testKeys
)

// clientKeys generates the test keys once per test binary: RSA key
// generation is slow.
func clientKeys(t testing.TB) testKeys {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		keys.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		keys.other, err = rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		keys.ec256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		keys.ec384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		require.NoError(t, err)
	})
	return keys
}

// publicJWKS is the client's registered key set: kids rsa1, ec256, ec384.
func publicJWKS(t testing.TB) []byte {
	t.Helper()
	k := clientKeys(t)
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &k.rsa.PublicKey, KeyID: "rsa1", Use: "sig"},
		{Key: &k.ec256.PublicKey, KeyID: "ec256", Algorithm: string(jose.ES256)},
		{Key: &k.ec384.PublicKey, KeyID: "ec384", Algorithm: string(jose.ES384)},
	}}
	b, err := json.Marshal(set)
	require.NoError(t, err)
	return b
}

// assertion is what a test client signs; sign turns it into a JWS.
type assertion struct {
	alg    jose.SignatureAlgorithm
	key    crypto.Signer
	kid    string
	header map[jose.HeaderKey]any
	claims jwt.Claims
	extra  map[string]any // raw claims replacing claims when set
}

// goodAssertion is a valid RS384 assertion of client "bot" to aud.
func goodAssertion(t testing.TB, aud string) assertion {
	k := clientKeys(t)
	return assertion{alg: jose.RS384, key: k.rsa, kid: "rsa1", claims: jwt.Claims{
		Issuer: "bot", Subject: "bot", Audience: jwt.Audience{aud}, ID: "jti-1",
		Expiry: jwt.NewNumericDate(testNow.Add(4 * time.Minute)), IssuedAt: jwt.NewNumericDate(testNow),
	}}
}

// sign serializes a as a compact JWS.
func (a assertion) sign(t testing.TB) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if a.kid != "" {
		opts = opts.WithHeader("kid", a.kid)
	}
	for k, v := range a.header {
		opts = opts.WithHeader(k, v)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: a.alg, Key: a.key}, opts)
	require.NoError(t, err)
	var s string
	if a.extra != nil {
		s, err = jwt.Signed(sig).Claims(a.extra).Serialize()
	} else {
		s, err = jwt.Signed(sig).Claims(a.claims).Serialize()
	}
	require.NoError(t, err)
	return s
}

// form is a valid token request body for the assertion jws.
func form(jws, scope string) url.Values {
	return url.Values{
		"grant_type":            {grantClientCredentials},
		"client_assertion_type": {assertionTypeJWTBearer},
		"client_assertion":      {jws},
		"scope":                 {scope},
	}
}
