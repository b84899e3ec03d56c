package backend

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
)

// testAud is the token endpoint URL of the test requests.
const testAud = "http://fhir.test/auth/token"

// issued is one call of Config.Issue.
type issued struct {
	client, scope string
	expires       time.Time
}

// audited is one call of Config.Audit.
type audited struct {
	client string
	ok     bool
	reason string
}

// fixture is an endpoint over fake client registrations.
type fixture struct {
	h       http.Handler
	issued  []issued
	audited []audited
}

// newFixture registers client bot (system/*.rs) and narrow
// (system/Observation.rs?category=laboratory); alice is a user who is not
// a client; "broken" makes the lookup fail. tweak edits the config.
func newFixture(t testing.TB, tweak func(*Config)) *fixture {
	f := &fixture{}
	jwks := publicJWKS(t)
	cfg := Config{
		Client: func(_ context.Context, name string) ([]byte, string, bool, error) {
			switch name {
			case "bot":
				return jwks, "system/*.rs", true, nil
			case "narrow":
				return jwks, "system/Observation.rs?category=laboratory", true, nil
			case "broken":
				return nil, "", false, errors.New("disk on fire")
			}
			return nil, "", false, nil // alice and strangers
		},
		Issue: func(_ context.Context, client, scope string, expires time.Time) (string, error) {
			f.issued = append(f.issued, issued{client, scope, expires})
			return "secret-" + client, nil
		},
		Audit: func(_ context.Context, client string, ok bool, reason string) error {
			f.audited = append(f.audited, audited{client, ok, reason})
			return nil
		},
		Now: func() time.Time { return testNow },
	}
	if tweak != nil {
		tweak(&cfg)
	}
	f.h = NewTokenEndpoint(cfg)
	return f
}

// post sends a token request and decodes the answer.
func (f *fixture) post(t *testing.T, target string, body url.Values, header ...string) (int, http.Header, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	return rec.Code, rec.Header(), out
}

// unsigned builds a compact JWS with the given header and no valid
// signature scheme of ours: for alg none and HS256.
func unsigned(t *testing.T, header map[string]string, claims jwt.Claims, sign func(input string) []byte) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(claims)
	return input + "." + base64.RawURLEncoding.EncodeToString(sign(input))
}

func TestTokenEndpoint(t *testing.T) {
	k := clientKeys(t)
	good := goodAssertion(t, testAud)
	with := func(edit func(a *assertion)) func(t *testing.T) url.Values {
		return func(t *testing.T) url.Values {
			a := goodAssertion(t, testAud)
			edit(&a)
			return form(a.sign(t), "system/*.rs")
		}
	}
	withForm := func(edit func(v url.Values)) func(t *testing.T) url.Values {
		return func(t *testing.T) url.Values {
			v := form(good.sign(t), "system/*.rs")
			edit(v)
			return v
		}
	}
	rsaDER, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	require.NoError(t, err)
	tests := []struct {
		name      string
		target    string // default testAud
		body      func(t *testing.T) url.Values
		header    []string
		tweak     func(*Config)
		twice     bool // send the request twice; the second answer is checked
		status    int
		wantErr   string // RFC 6749 error code; "" for success
		wantDesc  string
		wantScope string
	}{
		{name: "RS384", body: with(func(*assertion) {}), status: 200, wantScope: "system/*.rs"},
		{name: "RS256", body: with(func(a *assertion) { a.alg = jose.RS256 }), status: 200, wantScope: "system/*.rs"},
		{name: "ES384", body: with(func(a *assertion) { a.alg, a.key, a.kid = jose.ES384, k.ec384, "ec384" }), status: 200, wantScope: "system/*.rs"},
		{name: "ES256", body: with(func(a *assertion) { a.alg, a.key, a.kid = jose.ES256, k.ec256, "ec256" }), status: 200, wantScope: "system/*.rs"},
		{name: "https audience over TLS", target: "https://fhir.test/auth/token",
			body: with(func(a *assertion) { a.claims.Audience = jwt.Audience{"https://fhir.test/auth/token"} }), status: 200, wantScope: "system/*.rs"},
		{name: "configured audience", tweak: func(c *Config) { c.Audience = "https://public.example/auth/token" },
			body: with(func(a *assertion) { a.claims.Audience = jwt.Audience{"https://public.example/auth/token"} }), status: 200, wantScope: "system/*.rs"},
		{name: "matching client_id", body: withForm(func(v url.Values) { v.Set("client_id", "bot") }), status: 200, wantScope: "system/*.rs"},
		{name: "narrower scope requested", body: withForm(func(v url.Values) { v.Set("scope", "system/Observation.rs") }), status: 200, wantScope: "system/Observation.rs"},
		{name: "wider scope narrowed", body: withForm(func(v url.Values) { v.Set("scope", "system/*.cruds openid") }), status: 200, wantScope: "system/*.rs"},
		{name: "v1 scope", body: withForm(func(v url.Values) { v.Set("scope", "system/Patient.read") }), status: 200, wantScope: "system/Patient.rs"},
		{name: "allowed filter kept", body: func(t *testing.T) url.Values {
			a := goodAssertion(t, testAud)
			a.claims.Issuer, a.claims.Subject = "narrow", "narrow"
			return form(a.sign(t), "system/*.rs")
		}, status: 200, wantScope: "system/Observation.rs?category=laboratory"},

		// The request itself.
		{name: "GET", body: with(func(*assertion) {}), header: []string{"X-Method", "GET"}, status: 405, wantErr: "invalid_request"},
		{name: "JSON body", body: with(func(*assertion) {}), header: []string{"Content-Type", "application/json"}, status: 400, wantErr: "invalid_request", wantDesc: "x-www-form-urlencoded"},
		{name: "duplicate parameter", body: withForm(func(v url.Values) { v.Add("scope", "system/*.rs") }), status: 400, wantErr: "invalid_request", wantDesc: "more than once"},
		{name: "missing grant_type", body: withForm(func(v url.Values) { v.Del("grant_type") }), status: 400, wantErr: "invalid_request", wantDesc: "grant_type"},
		{name: "wrong grant_type", body: withForm(func(v url.Values) { v.Set("grant_type", "password") }), status: 400, wantErr: "unsupported_grant_type"},
		{name: "missing scope", body: withForm(func(v url.Values) { v.Del("scope") }), status: 400, wantErr: "invalid_request", wantDesc: "scope is required"},
		{name: "missing assertion type and assertion", body: withForm(func(v url.Values) { v.Del("client_assertion"); v.Del("client_assertion_type") }), status: 401, wantErr: "invalid_client", wantDesc: "authentication required"},
		{name: "wrong assertion type", body: withForm(func(v url.Values) {
			v.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
		}), status: 401, wantErr: "invalid_client"},
		{name: "missing assertion", body: withForm(func(v url.Values) { v.Del("client_assertion") }), status: 401, wantErr: "invalid_client", wantDesc: "client_assertion is required"},
		{name: "client secret", body: with(func(*assertion) {}), header: []string{"Authorization", "Basic Ym90OnNlY3JldA=="}, status: 401, wantErr: "invalid_client", wantDesc: "client_secret_basic"},
		{name: "not a JWS", body: withForm(func(v url.Values) { v.Set("client_assertion", "abc.def") }), status: 401, wantErr: "invalid_client", wantDesc: "compact JWS"},

		// Client authentication.
		{name: "bad signature", body: with(func(a *assertion) { a.key = k.other }), status: 401, wantErr: "invalid_client", wantDesc: "signature"},
		{name: "unknown kid", body: with(func(a *assertion) { a.kid = "rsa2" }), status: 401, wantErr: "invalid_client", wantDesc: "names no RS384 key"},
		{name: "no kid", body: with(func(a *assertion) { a.kid = "" }), status: 401, wantErr: "invalid_client", wantDesc: "no kid"},
		{name: "kid of another key type", body: with(func(a *assertion) { a.kid = "ec384" }), status: 401, wantErr: "invalid_client", wantDesc: "names no RS384 key"},
		{name: "alg the key declares otherwise", body: with(func(a *assertion) { a.alg, a.key, a.kid = jose.ES256, k.ec256, "ec384" }), status: 401, wantErr: "invalid_client"},
		{name: "jku header", body: with(func(a *assertion) { a.header = map[jose.HeaderKey]any{"jku": "https://evil.test/jwks"} }), status: 401, wantErr: "invalid_client", wantDesc: "jku"},
		{name: "wrong typ", body: with(func(a *assertion) { a.header = map[jose.HeaderKey]any{"typ": "at+jwt"} }), status: 401, wantErr: "invalid_client", wantDesc: "typ"},
		{name: "wrong aud", body: with(func(a *assertion) { a.claims.Audience = jwt.Audience{"http://elsewhere.test/auth/token"} }), status: 401, wantErr: "invalid_client", wantDesc: "aud"},
		{name: "http aud over TLS", target: "https://fhir.test/auth/token", body: with(func(*assertion) {}), status: 401, wantErr: "invalid_client", wantDesc: "aud"},
		{name: "iss differs from sub", body: with(func(a *assertion) { a.claims.Subject = "other" }), status: 401, wantErr: "invalid_client", wantDesc: "iss and sub"},
		{name: "client_id differs from iss", body: withForm(func(v url.Values) { v.Set("client_id", "narrow") }), status: 401, wantErr: "invalid_client", wantDesc: "client_id"},
		{name: "no iss", body: with(func(a *assertion) { a.claims.Issuer = "" }), status: 401, wantErr: "invalid_client", wantDesc: "no iss"},
		{name: "expired", body: with(func(a *assertion) { a.claims.Expiry = jwt.NewNumericDate(testNow.Add(-2 * time.Minute)) }), status: 401, wantErr: "invalid_client", wantDesc: "expired"},
		{name: "expired within leeway", body: with(func(a *assertion) { a.claims.Expiry = jwt.NewNumericDate(testNow.Add(-30 * time.Second)) }), status: 200, wantScope: "system/*.rs"},
		{name: "exp too far ahead", body: with(func(a *assertion) { a.claims.Expiry = jwt.NewNumericDate(testNow.Add(10 * time.Minute)) }), status: 401, wantErr: "invalid_client", wantDesc: "ahead"},
		{name: "no exp", body: with(func(a *assertion) { a.claims.Expiry = nil }), status: 401, wantErr: "invalid_client", wantDesc: "no exp"},
		{name: "nbf in the future", body: with(func(a *assertion) { a.claims.NotBefore = jwt.NewNumericDate(testNow.Add(3 * time.Minute)) }), status: 401, wantErr: "invalid_client", wantDesc: "nbf"},
		{name: "iat in the future", body: with(func(a *assertion) { a.claims.IssuedAt = jwt.NewNumericDate(testNow.Add(3 * time.Minute)) }), status: 401, wantErr: "invalid_client", wantDesc: "iat"},
		{name: "no jti", body: with(func(a *assertion) { a.claims.ID = "" }), status: 401, wantErr: "invalid_client", wantDesc: "no jti"},
		{name: "replayed jti", body: with(func(*assertion) {}), twice: true, status: 401, wantErr: "invalid_client", wantDesc: "already used"},
		{name: "alg none", body: func(t *testing.T) url.Values {
			jws := unsigned(t, map[string]string{"alg": "none", "kid": "rsa1", "typ": "JWT"}, good.claims, func(string) []byte { return nil })
			return form(jws, "system/*.rs")
		}, status: 401, wantErr: "invalid_client", wantDesc: `"none" is not allowed`},
		{name: "HS256 with the public key as secret", body: func(t *testing.T) url.Values {
			jws := unsigned(t, map[string]string{"alg": "HS256", "kid": "rsa1", "typ": "JWT"}, good.claims, func(in string) []byte {
				m := hmac.New(sha256.New, rsaDER)
				m.Write([]byte(in))
				return m.Sum(nil)
			})
			return form(jws, "system/*.rs")
		}, status: 401, wantErr: "invalid_client", wantDesc: `"HS256" is not allowed`},
		{name: "unknown client", body: with(func(a *assertion) { a.claims.Issuer, a.claims.Subject = "mallory", "mallory" }), status: 401, wantErr: "invalid_client", wantDesc: "unknown client"},
		{name: "a user who is not a client", body: with(func(a *assertion) { a.claims.Issuer, a.claims.Subject = "alice", "alice" }), status: 401, wantErr: "invalid_client", wantDesc: "unknown client"},

		// Scopes.
		{name: "patient scope only", body: withForm(func(v url.Values) { v.Set("scope", "patient/*.rs") }), status: 400, wantErr: "invalid_scope", wantDesc: "no requested scope is allowed"},
		{name: "malformed scope", body: withForm(func(v url.Values) { v.Set("scope", "system/Foo.rs") }), status: 400, wantErr: "invalid_scope", wantDesc: "Foo"},
		{name: "write only", body: withForm(func(v url.Values) { v.Set("scope", "system/*.cud") }), status: 400, wantErr: "invalid_scope"},
		{name: "type outside the allowed one", body: func(t *testing.T) url.Values {
			a := goodAssertion(t, testAud)
			a.claims.Issuer, a.claims.Subject = "narrow", "narrow"
			return form(a.sign(t), "system/Patient.rs")
		}, status: 400, wantErr: "invalid_scope"},

		// Failures of the server.
		{name: "client lookup fails", body: with(func(a *assertion) { a.claims.Issuer, a.claims.Subject = "broken", "broken" }), status: 500, wantErr: "server_error"},
		{name: "issue fails", tweak: func(c *Config) {
			c.Issue = func(context.Context, string, string, time.Time) (string, error) {
				return "", errors.New("catalog full")
			}
		}, body: with(func(*assertion) {}), status: 500, wantErr: "server_error"},
		{name: "audit refuses", tweak: func(c *Config) {
			c.Audit = func(context.Context, string, bool, string) error { return errors.New("log full") }
		}, body: with(func(*assertion) {}), status: 500, wantErr: "server_error"},
		{name: "replay cache full", tweak: func(c *Config) { c.MaxReplay = 1 }, body: func(t *testing.T) url.Values {
			return form(goodAssertion(t, testAud).sign(t), "system/*.rs") // jti-1, then jti-2 below
		}, twice: true, status: 503, wantErr: "server_error", wantDesc: "retry later"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.tweak)
			target := tt.target
			if target == "" {
				target = testAud
			}
			body := tt.body(t)
			header := tt.header
			if len(header) == 2 && header[0] == "X-Method" {
				f.h = methodOverride{f.h, header[1]}
				header = nil
			}
			if tt.twice {
				f.post(t, target, body, header...)
				if tt.status == 503 { // a second, different assertion
					a := goodAssertion(t, testAud)
					a.claims.ID = "jti-2"
					body = form(a.sign(t), "system/*.rs")
				}
			}
			status, hdr, out := f.post(t, target, body, header...)
			require.Equal(t, tt.status, status, "%v", out)
			if tt.wantErr != "" {
				require.Equal(t, tt.wantErr, out["error"], "%v", out)
				require.Contains(t, out["error_description"], tt.wantDesc)
				require.NotContains(t, out, "access_token")
				if tt.name != "audit refuses" {
					last := f.audited[len(f.audited)-1]
					require.False(t, last.ok)
					require.Contains(t, last.reason, tt.wantErr)
				}
				if status == 405 {
					require.Equal(t, "POST", hdr.Get("Allow"))
				}
				return
			}
			require.Equal(t, map[string]any{"access_token": "secret-" + f.issued[0].client, "token_type": "bearer",
				"expires_in": float64(300), "scope": tt.wantScope}, out)
			require.Len(t, f.issued, 1)
			require.Equal(t, tt.wantScope, f.issued[0].scope)
			require.Equal(t, testNow.Add(DefaultTokenLifetime), f.issued[0].expires)
			require.Equal(t, []audited{{f.issued[0].client, true, "granted " + tt.wantScope}}, f.audited)
		})
	}
}

// methodOverride sends every request with another method.
type methodOverride struct {
	h      http.Handler
	method string
}

func (m methodOverride) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Method = m.method
	m.h.ServeHTTP(w, r)
}

// TestTokenLifetime checks a configured lifetime reaches Issue and
// expires_in.
func TestTokenLifetime(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.TokenLifetime = 90 * time.Second })
	status, _, out := f.post(t, testAud, form(goodAssertion(t, testAud).sign(t), "system/*.rs"))
	require.Equal(t, 200, status, "%v", out)
	require.Equal(t, float64(90), out["expires_in"])
	require.Equal(t, testNow.Add(90*time.Second), f.issued[0].expires)
}

// TestReplayAfterExpiry checks the same jti is refused while its
// assertion lives, even signed anew, and that an expired one stays
// refused for being expired.
func TestReplayAfterExpiry(t *testing.T) {
	now := testNow
	f := newFixture(t, func(c *Config) { c.Now = func() time.Time { return now } })
	a := goodAssertion(t, testAud)
	status, _, out := f.post(t, testAud, form(a.sign(t), "system/*.rs"))
	require.Equal(t, 200, status, "%v", out)
	status, _, out = f.post(t, testAud, form(a.sign(t), "system/*.rs")) // signed again: same jti
	require.Equal(t, 401, status, "%v", out)
	require.Contains(t, out["error_description"], "already used")
	now = testNow.Add(6 * time.Minute)
	status, _, out = f.post(t, testAud, form(a.sign(t), "system/*.rs"))
	require.Equal(t, 401, status, "%v", out)
	require.Contains(t, out["error_description"], "expired")
	// Another client may use the same jti.
	b := goodAssertion(t, testAud)
	b.claims.Issuer, b.claims.Subject = "narrow", "narrow"
	b.claims.Expiry = jwt.NewNumericDate(now.Add(time.Minute))
	status, _, out = f.post(t, testAud, form(b.sign(t), "system/*.rs"))
	require.Equal(t, 200, status, "%v", out)
}
