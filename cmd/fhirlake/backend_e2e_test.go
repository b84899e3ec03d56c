package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
)

// TestBackendServices runs SMART Backend Services over real HTTP: a
// registered client with an RSA key set and the reader role gets an
// access token with a signed assertion, reads, searches and starts a bulk
// export with it, cannot write, cannot replay its assertion, and loses
// access when the token expires. The audit log records the issue and the
// refusal.
func TestBackendServices(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	var out bytes.Buffer
	cli := func(args ...string) string {
		t.Helper()
		out.Reset()
		var stdout bytes.Buffer
		require.NoError(t, run(ctx, append(args[:1:1], append([]string{"--data", data}, args[1:]...)...), &stdout, &out), out.String())
		return stdout.String()
	}
	require.NoError(t, run(ctx, []string{"generate", "--patients", "5", "--seed", "7", "--out", gen}, &out, &out), out.String())
	cli("import", "--datastore", "ward", gen)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	cli("client", "add", "bulkbot", "--jwks-file", writeJWKS(t, &key.PublicKey, "bot-2026"))
	cli("grant", "reader", "--datastore", "ward", "bulkbot")

	const lifetime = 4 * time.Second
	srv := startServe(t, "--data", data, "--access-token-lifetime", lifetime.String())
	tokenURL := "http://" + srv.httpAddr + "/auth/token"
	base := "http://" + srv.httpAddr + "/fhir/ward"

	jti := 0
	assertion := func() string {
		jti++
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS384, Key: key},
			(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "bot-2026"))
		require.NoError(t, err)
		s, err := jwt.Signed(sig).Claims(jwt.Claims{Issuer: "bulkbot", Subject: "bulkbot", Audience: jwt.Audience{tokenURL},
			ID: "e2e-" + time.Now().Format(time.RFC3339Nano) + "-" + string(rune('a'+jti)), Expiry: jwt.NewNumericDate(time.Now().Add(4 * time.Minute))}).Serialize()
		require.NoError(t, err)
		return s
	}
	request := func(jws, scope string) (int, map[string]any) {
		t.Helper()
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {jws}}
		status, hdr, body := httpDo(t, "POST", tokenURL, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
		require.Equal(t, "no-store", hdr.Get("Cache-Control"))
		var resp map[string]any
		require.NoError(t, json.Unmarshal(body, &resp), string(body))
		return status, resp
	}
	token := func() string {
		t.Helper()
		status, resp := request(assertion(), "system/*.rs")
		require.Equal(t, 200, status, "%v", resp)
		return resp["access_token"].(string)
	}
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

	// A token; the scope asked for is narrowed to what the client may hold.
	jws := assertion()
	status, resp := request(jws, "system/*.cruds")
	require.Equal(t, 200, status, "%v", resp)
	require.Equal(t, "bearer", resp["token_type"])
	require.Equal(t, "system/*.rs", resp["scope"])
	require.Equal(t, float64(4), resp["expires_in"])

	// The same assertion again is a replay.
	status, resp = request(jws, "system/*.rs")
	require.Equal(t, 401, status, "%v", resp)
	require.Equal(t, "invalid_client", resp["error"])
	require.Contains(t, resp["error_description"], "jti was already used")

	// Read and search; a bulk export kick-off.
	status, _, body := httpDo(t, "GET", base+"/Patient", "", bearer(token())...)
	require.Equal(t, 200, status, string(body))
	require.Contains(t, string(body), `"resourceType":"Patient"`)
	status, hdr, body := httpDo(t, "GET", base+"/$export", "", append(bearer(token()), "Prefer", "respond-async", "Accept", "application/fhir+json")...)
	require.Equal(t, 202, status, string(body))
	require.Contains(t, hdr.Get("Content-Location"), "/$export-status/")

	// No write: neither the reader role nor the scope allows it.
	status, _, body = httpDo(t, "PUT", base+"/Patient/new", `{"resourceType":"Patient","id":"new"}`,
		append(bearer(token()), "Content-Type", "application/fhir+json")...)
	require.Equal(t, 403, status, string(body))

	// A token past its lifetime.
	old := token()
	time.Sleep(lifetime + 500*time.Millisecond)
	status, _, body = httpDo(t, "GET", base+"/Patient", "", bearer(old)...)
	require.Equal(t, 401, status, string(body))
	require.Contains(t, string(body), "expired")

	// The audit log has the issues and the replay refusal.
	require.NoError(t, srv.stop())
	var issued, refused int
	err = auditRows(t, ctx, data, func(r audit.Record) error {
		if r.Kind != audit.KindToken || r.Action != "issue" || r.Subject != "bulkbot" {
			return nil
		}
		require.Equal(t, "client-credentials", r.Actor.Method)
		if r.Outcome.Result == audit.Success {
			issued++
			require.Equal(t, "granted system/*.rs", r.Outcome.Message)
		} else {
			refused++
			require.True(t, strings.Contains(r.Outcome.Message, "already used"), r.Outcome.Message)
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 5, issued)
	require.Equal(t, 1, refused)
	require.Contains(t, cli("token", "list", "--user", "bulkbot"), "backend services")
}
