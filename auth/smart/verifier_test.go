package smart

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

// b64 encodes a JWS segment.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// unsigned builds a token from a header and claims with the given
// signature bytes (nil for alg none).
func unsigned(t *testing.T, header map[string]any, c map[string]any, sig func(signingInput string) []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	require.NoError(t, err)
	p, err := json.Marshal(c)
	require.NoError(t, err)
	in := b64(h) + "." + b64(p)
	if sig == nil {
		return in + "."
	}
	return in + "." + b64(sig(in))
}

// hs256 signs with HMAC-SHA256 under secret.
func hs256(secret []byte) func(string) []byte {
	return func(in string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(in))
		return m.Sum(nil)
	}
}

// with returns the base claims changed by edit.
func with(edit func(map[string]any)) map[string]any {
	c := claims(testNow)
	edit(c)
	return c
}

func TestVerify(t *testing.T) {
	k := keys(t)
	v := fileVerifier(t)
	pubDER, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	valid := sign(t, k.rsa, jose.RS256, "rsa1", claims(testNow))
	parts := strings.Split(valid, ".")

	tests := []struct {
		name    string
		token   string
		wantErr string // substring of the refusal; "" means accepted
		want    *Principal
	}{
		{name: "valid RS256", token: valid, want: &Principal{
			Subject: "user-1", ClientID: "app-1", Patient: "123", FHIRUser: "Practitioner/9",
			Scopes: mustScopes(t, "openid patient/Observation.rs user/Patient.read"),
		}},
		{name: "valid ES256", token: sign(t, k.ec, jose.ES256, "ec1", claims(testNow))},
		{name: "aud array with one accepted", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { c["aud"] = []string{"x", testAudience} }))},
		{name: "scp array", token: sign(t, k.rsa, jose.RS256, "rsa1", with(func(c map[string]any) {
			delete(c, "scope")
			c["scp"] = []string{"system/*.rs", "launch/patient"}
		})), want: &Principal{Subject: "user-1", ClientID: "app-1", Patient: "123", FHIRUser: "Practitioner/9",
			Scopes: mustScopes(t, "system/*.rs launch/patient")}},
		{name: "azp when no client_id, bad scope dropped", token: sign(t, k.rsa, jose.RS256, "rsa1", with(func(c map[string]any) {
			delete(c, "client_id")
			delete(c, "patient")
			c["azp"] = "app-2"
			c["scope"] = "user/Nope.rs user/*.cruds"
		})), want: &Principal{Subject: "user-1", ClientID: "app-2", FHIRUser: "Practitioner/9",
			Scopes: mustScopes(t, "user/*.cruds")}},
		{name: "expired within leeway", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { c["exp"] = testNow.Add(-59 * time.Second).Unix() }))},
		{name: "nbf within leeway", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { c["nbf"] = testNow.Add(59 * time.Second).Unix() }))},

		{name: "bad signature (other key, same kid)", token: sign(t, k.rogue, jose.RS256, "rsa1", claims(testNow)), wantErr: "bad signature"},
		{name: "bad signature (payload edited)", token: parts[0] + "." +
			b64([]byte(`{"iss":"`+testIssuer+`","aud":"`+testAudience+`","exp":9999999999,"scope":"system/*.cruds"}`)) + "." + parts[2],
			wantErr: "bad signature"},
		{name: "wrong audience", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { c["aud"] = "https://elsewhere" })), wantErr: "wrong audience"},
		{name: "no audience", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { delete(c, "aud") })), wantErr: "wrong audience"},
		{name: "wrong issuer", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { c["iss"] = testIssuer + "/" })), wantErr: "wrong issuer"},
		{name: "expired", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { c["exp"] = testNow.Add(-61 * time.Second).Unix() })), wantErr: "expired"},
		{name: "no exp", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { delete(c, "exp") })), wantErr: "no expiry"},
		{name: "not yet valid", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { c["nbf"] = testNow.Add(61 * time.Second).Unix() })), wantErr: "not yet valid"},
		{name: "issued in the future", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { c["iat"] = testNow.Add(time.Hour).Unix() })), wantErr: "issued in the future"},
		{name: "alg none", token: unsigned(t, map[string]any{"alg": "none", "kid": "rsa1"}, claims(testNow), nil),
			wantErr: "algorithm not allowed"},
		{name: "alg none with a signature", token: unsigned(t, map[string]any{"alg": "none"}, claims(testNow), hs256(nil)),
			wantErr: "algorithm not allowed"},
		{name: "HS256 with public key PEM as secret", token: unsigned(t, map[string]any{"alg": "HS256", "kid": "rsa1"},
			claims(testNow), hs256(pubPEM)), wantErr: "algorithm not allowed"},
		{name: "HS256 with public key DER as secret", token: unsigned(t, map[string]any{"alg": "HS256"},
			claims(testNow), hs256(pubDER)), wantErr: "algorithm not allowed"},
		{name: "RS384 refused", token: sign(t, k.rsa, jose.RS384, "rsa1", claims(testNow)), wantErr: "algorithm not allowed"},
		{name: "kid not in key set", token: sign(t, k.rsa, jose.RS256, "rsa9", claims(testNow)), wantErr: "key id not in key set"},
		{name: "missing kid with two keys", token: sign(t, k.rsa, jose.RS256, "", claims(testNow)), wantErr: "no key id"},
		{name: "ES256 under an RSA kid", token: sign(t, k.ec, jose.ES256, "rsa1", claims(testNow)), wantErr: "does not match"},
		{name: "two segments", token: parts[0] + "." + parts[1], wantErr: "malformed token"},
		{name: "four segments", token: valid + ".x", wantErr: "malformed token"},
		{name: "empty", token: "", wantErr: "malformed token"},
		{name: "bad base64 header", token: "!!!." + parts[1] + "." + parts[2], wantErr: "malformed token"},
		{name: "header not JSON", token: b64([]byte("not json")) + "." + parts[1] + "." + parts[2], wantErr: "malformed token"},
		{name: "bad base64 signature", token: parts[0] + "." + parts[1] + ".%%%", wantErr: "malformed token"},
		{name: "payload not JSON", token: signRaw(t, k.rsa, jose.RS256, "rsa1", []byte("not json")), wantErr: "malformed claims"},
		{name: "exp not a number", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { c["exp"] = "tomorrow" })), wantErr: "malformed claims"},
		{name: "scope claim a number", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { c["scope"] = 7 })), wantErr: "scope claim"},
		{name: "patient claim not an id", token: sign(t, k.rsa, jose.RS256, "rsa1",
			with(func(c map[string]any) { c["patient"] = "../Patient/1" })), wantErr: "patient claim"},
		{name: "too long", token: strings.Repeat("a", maxTokenBytes+1), wantErr: "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := v.Verify(t.Context(), tt.token)
			if tt.wantErr == "" {
				require.NoError(t, err)
				if tt.want != nil {
					require.Equal(t, *tt.want, p)
				}
				return
			}
			require.ErrorIs(t, err, ErrInvalidToken)
			var te *TokenError
			require.ErrorAs(t, err, &te)
			require.Contains(t, err.Error(), tt.wantErr)
			require.Equal(t, Principal{}, p)
			if len(tt.token) > 8 {
				require.NotContains(t, err.Error(), tt.token[len(tt.token)-8:], "error must not echo the token")
			}
		})
	}
}

// mustScopes parses a scope list that must be valid.
func mustScopes(t *testing.T, list string) []Scope {
	t.Helper()
	s, errs := ParseScopes(list)
	require.Empty(t, errs)
	return s
}

func TestVerifySingleKey(t *testing.T) {
	k := keys(t)
	tests := []struct {
		name    string
		jwks    []byte
		token   string
		wantErr string
	}{
		{name: "missing kid, one key", jwks: jwks(t, []string{"only"}, &k.rsa.PublicKey),
			token: sign(t, k.rsa, jose.RS256, "", claims(testNow))},
		{name: "missing kid, one key, wrong signer", jwks: jwks(t, []string{"only"}, &k.rsa.PublicKey),
			token: sign(t, k.rogue, jose.RS256, "", claims(testNow)), wantErr: "bad signature"},
		{name: "missing kid, one EC key, RS256 token", jwks: jwks(t, []string{"only"}, &k.ec.PublicKey),
			token: sign(t, k.rsa, jose.RS256, "", claims(testNow)), wantErr: "does not match"},
		{name: "key without kid, token with kid", jwks: jwks(t, []string{""}, &k.rsa.PublicKey),
			token: sign(t, k.rsa, jose.RS256, "rsa1", claims(testNow)), wantErr: "key id not in key set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(t.Context(), Config{Issuer: testIssuer, Audience: []string{testAudience},
				JWKSFile: writeJWKS(t, tt.jwks), Now: func() time.Time { return testNow }})
			require.NoError(t, err)
			_, err = v.Verify(t.Context(), tt.token)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidToken)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestVerifyLeeway(t *testing.T) {
	k := keys(t)
	tok := sign(t, k.rsa, jose.RS256, "rsa1",
		with(func(c map[string]any) { c["exp"] = testNow.Add(-10 * time.Second).Unix() }))
	tests := []struct {
		name    string
		leeway  time.Duration
		wantErr bool
	}{
		{name: "default 60s", leeway: 0},
		{name: "explicit 30s", leeway: 30 * time.Second},
		{name: "explicit 5s", leeway: 5 * time.Second, wantErr: true},
		{name: "negative means none", leeway: -1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(t.Context(), Config{Issuer: testIssuer, Audience: []string{testAudience},
				JWKSFile: writeJWKS(t, jwks(t, []string{"rsa1"}, &k.rsa.PublicKey)),
				Leeway:   tt.leeway, Now: func() time.Time { return testNow }})
			require.NoError(t, err)
			_, err = v.Verify(t.Context(), tok)
			if tt.wantErr {
				require.ErrorContains(t, err, "expired")
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestNewVerifierConfig(t *testing.T) {
	k := keys(t)
	good := writeJWKS(t, jwks(t, []string{"rsa1"}, &k.rsa.PublicKey))
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "no issuer", cfg: Config{Audience: []string{"a"}, JWKSFile: good}, wantErr: "Issuer"},
		{name: "no audience", cfg: Config{Issuer: "i", JWKSFile: good}, wantErr: "Audience"},
		{name: "empty audience", cfg: Config{Issuer: "i", Audience: []string{""}, JWKSFile: good}, wantErr: "Audience"},
		{name: "no key set", cfg: Config{Issuer: "i", Audience: []string{"a"}}, wantErr: "JWKSFile"},
		{name: "both key sets", cfg: Config{Issuer: "i", Audience: []string{"a"}, JWKSFile: good, JWKSURL: "http://x"}, wantErr: "exclusive"},
		{name: "missing file", cfg: Config{Issuer: "i", Audience: []string{"a"}, JWKSFile: good + ".nope"}, wantErr: "read key set"},
		{name: "not JSON", cfg: Config{Issuer: "i", Audience: []string{"a"}, JWKSFile: writeJWKS(t, []byte("{"))}, wantErr: "decode JWKS"},
		{name: "only an HMAC key", cfg: Config{Issuer: "i", Audience: []string{"a"},
			JWKSFile: writeJWKS(t, []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"}]}`))}, wantErr: "no RS256 or ES256"},
		{name: "only an encryption key", cfg: Config{Issuer: "i", Audience: []string{"a"},
			JWKSFile: writeJWKS(t, encJWKS(t))}, wantErr: "no RS256 or ES256"},
		{name: "ok", cfg: Config{Issuer: "i", Audience: []string{"a"}, JWKSFile: good}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewVerifier(t.Context(), tt.cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			require.True(t, strings.HasPrefix(err.Error(), "smart: "), err.Error())
		})
	}
}

// encJWKS is a key set whose only key is for encryption.
func encJWKS(t *testing.T) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &keys(t).rsa.PublicKey, KeyID: "e", Use: "enc"}}})
	require.NoError(t, err)
	return b
}
