package smart

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
)

const (
	testIssuer   = "https://idp.example.org"
	testAudience = "https://fhir.example.org/fhir"
)

// testNow is the fixed clock of the verifier tests.
var testNow = time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)

// testKeySet holds the keys the tests sign with; generated once.
type testKeySet struct {
	rsa, rsa2, rogue *rsa.PrivateKey
	ec               *ecdsa.PrivateKey
}

var keysOnce = sync.OnceValues(func() (*testKeySet, error) {
	var k testKeySet
	var err error
	for _, p := range []**rsa.PrivateKey{&k.rsa, &k.rsa2, &k.rogue} {
		if *p, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, err
		}
	}
	if k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	return &k, nil
})

// keys returns the shared test keys.
func keys(t testing.TB) *testKeySet {
	t.Helper()
	k, err := keysOnce()
	require.NoError(t, err)
	return k
}

// jwks encodes public keys as a JWKS document; kids[i] names keys[i].
func jwks(t testing.TB, kids []string, pubs ...any) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	for i, p := range pubs {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: p, KeyID: kids[i], Use: "sig"})
	}
	b, err := json.Marshal(set)
	require.NoError(t, err)
	return b
}

// writeJWKS writes a JWKS file and returns its path.
func writeJWKS(t testing.TB, doc []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "jwks.json")
	require.NoError(t, os.WriteFile(path, doc, 0o600))
	return path
}

// claims returns a valid claim set at now; edit it to break one check.
func claims(now time.Time) map[string]any {
	return map[string]any{
		"iss":       testIssuer,
		"aud":       testAudience,
		"sub":       "user-1",
		"client_id": "app-1",
		"exp":       now.Add(5 * time.Minute).Unix(),
		"iat":       now.Add(-time.Minute).Unix(),
		"scope":     "openid patient/Observation.rs user/Patient.read",
		"patient":   "123",
		"fhirUser":  "Practitioner/9",
	}
}

// sign signs c with key under alg, with a kid header unless kid is "".
func sign(t testing.TB, key any, alg jose.SignatureAlgorithm, kid string, c any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	require.NoError(t, err)
	tok, err := jwt.Signed(s).Claims(c).Serialize()
	require.NoError(t, err)
	return tok
}

// signRaw signs arbitrary payload bytes (for non-JSON claims).
func signRaw(t testing.TB, key any, alg jose.SignatureAlgorithm, kid string, payload []byte) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithHeader("kid", kid)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	require.NoError(t, err)
	obj, err := s.Sign(payload)
	require.NoError(t, err)
	tok, err := obj.CompactSerialize()
	require.NoError(t, err)
	return tok
}

// fileVerifier returns a verifier over a JWKS file holding rsa1 and ec1.
func fileVerifier(t testing.TB) *Verifier {
	t.Helper()
	k := keys(t)
	doc := jwks(t, []string{"rsa1", "ec1"}, &k.rsa.PublicKey, &k.ec.PublicKey)
	v, err := NewVerifier(t.Context(), Config{
		Issuer:   testIssuer,
		Audience: []string{"other-aud", testAudience},
		JWKSFile: writeJWKS(t, doc),
		Now:      func() time.Time { return testNow },
	})
	require.NoError(t, err)
	return v
}
