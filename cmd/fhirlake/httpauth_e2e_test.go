package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
)

// idp is a test OAuth 2 identity provider: an RSA key published as a JWKS
// file, signing SMART access tokens.
type idp struct {
	key       *rsa.PrivateKey
	jwksPath  string
	iss, aud  string
	otherKey  *rsa.PrivateKey
	unusedKid string
}

func newIDP(t *testing.T) *idp {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: string(jose.RS256), Use: "sig"}}}
	b, err := json.Marshal(set)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "jwks.json")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return &idp{key: key, jwksPath: path, iss: "https://idp.test", aud: "https://fhir.test/fhir/ward", otherKey: other, unusedKid: "k2"}
}

// token signs claims; tweak edits them (and may pick another key or kid).
func (p *idp) token(t *testing.T, scope, patient string, tweak func(c *jwt.Claims, key **rsa.PrivateKey, kid *string)) string {
	t.Helper()
	now := time.Now()
	c := jwt.Claims{Issuer: p.iss, Subject: "app-user", Audience: jwt.Audience{p.aud},
		Expiry: jwt.NewNumericDate(now.Add(5 * time.Minute)), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)), IssuedAt: jwt.NewNumericDate(now)}
	key, kid := p.key, "k1"
	if tweak != nil {
		tweak(&c, &key, &kid)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	require.NoError(t, err)
	extra := map[string]any{"scope": scope, "client_id": "test-app"}
	if patient != "" {
		extra["patient"] = patient
	}
	s, err := jwt.Signed(sig).Claims(c).Claims(extra).Serialize()
	require.NoError(t, err)
	return s
}

// TestHTTPAuthentication runs a server with users, an API token and an
// identity provider, and checks every way in and every refusal over real
// HTTP: the quickstart's trust ends once a user exists; tokens, passwords
// and JWTs are checked; failed passwords lock the user out; a
// patient-level token sees only its patient's compartment in reads,
// searches, includes, chains, _has and $everything; and the audit log
// names each caller.
func TestHTTPAuthentication(t *testing.T) {
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
	require.NoError(t, run(ctx, []string{"generate", "--patients", "8", "--seed", "5", "--out", gen}, &out, &out), out.String())
	cli("import", "--datastore", "ward", gen)
	for _, u := range []string{"root", "rita", "wes", "ana"} {
		withStdin(t, "pw-"+u+"\n", func() { cli("user", "--password-stdin", "add", u) })
	}
	cli("grant", "reader", "--datastore", "ward", "rita")
	cli("grant", "writer", "--datastore", "ward", "wes")
	cli("grant", "analyst", "--datastore", "ward", "ana")
	ritaToken := strings.TrimSpace(cli("token", "create", "--user", "rita"))
	require.NotContains(t, ritaToken, "\n", "token create prints only the token")
	expiring := strings.TrimSpace(cli("token", "create", "--user", "rita", "--expires", "1s"))
	expiresAt := time.Now().Add(time.Second)

	p := newIDP(t)
	srv := startServe(t, "--data", data, "--jwt-issuer", p.iss, "--jwt-audience", p.aud, "--jwks-file", p.jwksPath)
	base := "http://" + srv.httpAddr + "/fhir/ward"
	get := func(path string, header ...string) (int, http.Header, []byte) {
		t.Helper()
		return httpDo(t, "GET", base+"/"+path, "", header...)
	}
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	basic := func(user, pw string) []string {
		req, _ := http.NewRequest("GET", "/", nil)
		req.SetBasicAuth(user, pw)
		return []string{"Authorization", req.Header.Get("Authorization")}
	}
	outcome := func(body []byte) string {
		var oo struct {
			ResourceType string
			Issue        []struct{ Code, Diagnostics string }
		}
		require.NoError(t, json.Unmarshal(body, &oo), string(body))
		require.Equal(t, "OperationOutcome", oo.ResourceType)
		return oo.Issue[0].Diagnostics
	}

	// Public: the CapabilityStatement and the SMART configuration.
	status, _, body := get("metadata")
	require.Equal(t, 200, status, string(body))
	status, _, body = get(".well-known/smart-configuration")
	require.Equal(t, 200, status, string(body))
	require.Contains(t, string(body), "client_credentials")
	require.Contains(t, string(body), `"token_endpoint": "http://`+srv.httpAddr+`/auth/token"`, "the token endpoint is served at the root")

	// Once a user exists, nothing else is served anonymously.
	status, hdr, body := get("Patient?_count=1")
	require.Equal(t, 401, status)
	require.Contains(t, hdr.Get("WWW-Authenticate"), "Bearer")
	require.Contains(t, outcome(body), "authentication required")

	// An API token: the reader reads and searches, does not write.
	status, _, body = get("Patient?_count=1", bearer(ritaToken)...)
	require.Equal(t, 200, status, string(body))
	status, _, body = httpDo(t, "PUT", base+"/Patient/new", `{"resourceType":"Patient","id":"new"}`,
		append(bearer(ritaToken), "Content-Type", "application/fhir+json")...)
	require.Equal(t, 403, status, string(body))
	require.Contains(t, outcome(body), "needs admin or writer")
	status, _, body = get("Patient?_count=1", bearer(ritaToken[:len(ritaToken)-2]+"xx")...)
	require.Equal(t, 401, status, string(body))
	time.Sleep(time.Until(expiresAt) + 100*time.Millisecond)
	status, _, body = get("Patient?_count=1", bearer(expiring)...)
	require.Equal(t, 401, status, string(body))
	require.Contains(t, outcome(body), "expired")

	// Passwords, and the lockout after repeated failures.
	status, _, body = get("Patient?_count=1", basic("wes", "pw-wes")...)
	require.Equal(t, 200, status, string(body))
	status, _, _ = get("Patient?_count=1", basic("ana", "pw-ana")...)
	require.Equal(t, 403, status, "an analyst has SQL, not FHIR")
	for range 5 {
		status, _, _ = get("Patient?_count=1", basic("wes", "wrong")...)
		require.Equal(t, 401, status)
	}
	status, hdr, body = get("Patient?_count=1", basic("wes", "pw-wes")...)
	require.Equal(t, 429, status, "locked out even with the right password: %s", body)
	require.NotEmpty(t, hdr.Get("Retry-After"))
	// One lockout for both protocols: the Postgres listener refuses wes
	// too, before the password.
	_, err := pgx.Connect(ctx, fmt.Sprintf("postgres://wes:pw-wes@%s/ward?sslmode=disable", srv.pgAddr))
	require.ErrorContains(t, err, "locked")

	// The admin API: grants, tokens and lockouts on the running server,
	// for administrators of every data store only.
	root := basic("root", "pw-root")
	adminURL := "http://" + srv.httpAddr + "/admin"
	status, _, _ = httpDo(t, "GET", adminURL+"/grants", "", bearer(ritaToken)...)
	require.Equal(t, 403, status)
	status, _, body = httpDo(t, "GET", adminURL+"/lockouts", "", root...)
	require.Equal(t, 200, status, string(body))
	require.Contains(t, string(body), `"user":"wes"`)
	status, _, body = httpDo(t, "DELETE", adminURL+"/lockouts/wes", "", root...)
	require.Equal(t, 204, status, string(body))
	status, _, _ = get("Patient?_count=1", basic("wes", "pw-wes")...)
	require.Equal(t, 200, status, "unlocked by an admin")
	// Wrong passwords over the Postgres protocol lock the HTTP side too.
	for range 5 {
		_, err := pgx.Connect(ctx, fmt.Sprintf("postgres://ana:wrong@%s/ward?sslmode=disable", srv.pgAddr))
		require.ErrorContains(t, err, "28P01")
	}
	status, _, _ = get("Patient?_count=1", basic("ana", "pw-ana")...)
	require.Equal(t, 429, status)
	status, _, body = httpDo(t, "DELETE", adminURL+"/lockouts/ana", "", root...)
	require.Equal(t, 204, status, string(body))
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://ana:pw-ana@%s/ward?sslmode=disable", srv.pgAddr))
	require.NoError(t, err, "unlocked, the analyst reaches SQL")
	require.NoError(t, conn.Close(ctx))
	status, _, body = httpDo(t, "POST", adminURL+"/grants", `{"user":"ana","datastore":"ward","role":"reader"}`, root...)
	require.Equal(t, 201, status, string(body))
	status, _, _ = get("Patient?_count=1", basic("ana", "pw-ana")...)
	require.Equal(t, 200, status, "a grant applies to the next request")
	status, _, body = httpDo(t, "DELETE", adminURL+"/grants/ana/ward/reader", "", root...)
	require.Equal(t, 204, status, string(body))
	status, _, _ = get("Patient?_count=1", basic("ana", "pw-ana")...)
	require.Equal(t, 403, status, "a revoke applies to the next request")
	status, _, body = httpDo(t, "POST", adminURL+"/grants", `{"user":"ana","datastore":"ward","role":"boss"}`, root...)
	require.Equal(t, 400, status, string(body))
	status, _, body = httpDo(t, "POST", adminURL+"/tokens", `{"user":"wes","expires":"1h","note":"api"}`, root...)
	require.Equal(t, 201, status, string(body))
	var created struct{ ID, Token string }
	require.NoError(t, json.Unmarshal(body, &created))
	status, _, _ = get("Patient?_count=1", bearer(created.Token)...)
	require.Equal(t, 200, status)
	status, _, body = httpDo(t, "GET", adminURL+"/tokens?user=wes", "", root...)
	require.Equal(t, 200, status, string(body))
	require.Contains(t, string(body), created.ID)
	require.NotContains(t, string(body), created.Token)
	status, _, _ = httpDo(t, "DELETE", adminURL+"/tokens/"+created.ID, "", root...)
	require.Equal(t, 204, status)
	status, _, _ = get("Patient?_count=1", bearer(created.Token)...)
	require.Equal(t, 401, status, "a revoked token")

	// OAuth bearer JWTs: each flaw is a 401 with an OperationOutcome.
	flaws := map[string]func(c *jwt.Claims, key **rsa.PrivateKey, kid *string){
		"bad signature": func(_ *jwt.Claims, key **rsa.PrivateKey, _ *string) { *key = p.otherKey },
		"unknown kid":   func(_ *jwt.Claims, _ **rsa.PrivateKey, kid *string) { *kid = p.unusedKid },
		"audience":      func(c *jwt.Claims, _ **rsa.PrivateKey, _ *string) { c.Audience = jwt.Audience{"https://elsewhere"} },
		"issuer":        func(c *jwt.Claims, _ **rsa.PrivateKey, _ *string) { c.Issuer = "https://evil.test" },
		"expired": func(c *jwt.Claims, _ **rsa.PrivateKey, _ *string) {
			c.Expiry = jwt.NewNumericDate(time.Now().Add(-10 * time.Minute))
		},
	}
	for name, tweak := range flaws {
		status, hdr, body := get("Patient?_count=1", bearer(p.token(t, "system/*.read", "", tweak))...)
		require.Equal(t, 401, status, "%s: %s", name, body)
		require.Contains(t, hdr.Get("WWW-Authenticate"), "invalid_token", name)
		outcome(body)
	}
	// The none algorithm.
	good := p.token(t, "system/*.read", "", nil)
	parts := strings.Split(good, ".")
	noneHeader := jsonB64(t, map[string]string{"alg": "none", "typ": "JWT"})
	status, _, body = get("Patient?_count=1", bearer(noneHeader+"."+parts[1]+".")...)
	require.Equal(t, 401, status, string(body))
	status, _, body = get("Patient?_count=1", bearer(good)...)
	require.Equal(t, 200, status, string(body))

	// A patient-level token: find two patients and what the first holds.
	admin := bearer(p.token(t, "system/*.cruds", "", nil))
	pats := searchIDs(t, get, "Patient?_count=100", admin)
	require.GreaterOrEqual(t, len(pats), 2)
	p1, p2 := pats[0], pats[1]
	p1obs := searchIDs(t, get, "Patient/"+p1+"/Observation?_count=1000", admin)
	require.NotEmpty(t, p1obs)
	p1enc := searchIDs(t, get, "Patient/"+p1+"/Encounter?_count=1000", admin)
	pt := bearer(p.token(t, "patient/*.rs", p1, nil))

	require.Equal(t, []string{p1}, searchIDs(t, get, "Patient?_count=100", pt))
	require.ElementsMatch(t, p1obs, searchIDs(t, get, "Observation?_count=1000", pt))
	status, _, body = get("Observation?_summary=count", pt...)
	require.Equal(t, 200, status, string(body))
	require.Contains(t, string(body), fmt.Sprintf(`"total":%d`, len(p1obs)), "a count counts the compartment only")
	status, _, _ = get("Patient/"+p2, pt...)
	require.Equal(t, 404, status)
	status, _, _ = get("Patient/"+p1, pt...)
	require.Equal(t, 200, status)
	status, _, _ = get("Patient/"+p2+"/$everything", pt...)
	require.Equal(t, 403, status)
	status, _, _ = get("Patient/"+p2+"/Observation", pt...)
	require.Equal(t, 403, status)
	// Includes, revincludes, chains and _has reach no other patient.
	for _, q := range []string{
		"Observation?_include=Observation:subject&_count=1000",
		"Patient?_revinclude=Encounter:subject&_count=1000",
		"Encounter?_include=Encounter:subject&_revinclude=Observation:encounter&_count=1000",
		"Observation?subject:Patient.gender=male,female,other,unknown&_count=1000",
		"Patient?_has:Observation:subject:status=final&_count=1000",
		"Patient/" + p1 + "/$everything?_count=1000",
	} {
		status, _, body := get(q, pt...)
		require.Equal(t, 200, status, "%s: %s", q, body)
		for _, ref := range bundleRefs(t, body) {
			require.False(t, ref.typ == "Patient" && ref.id != p1, "%s returned Patient/%s", q, ref.id)
			if ref.typ == "Encounter" {
				require.Contains(t, p1enc, ref.id, "%s returned another patient's Encounter", q)
			}
			if ref.typ == "Observation" {
				require.Contains(t, p1obs, ref.id, "%s returned another patient's Observation", q)
			}
		}
	}
	// A token for Observations alone cannot test Patients through a chain
	// or _has.
	obsOnly := bearer(p.token(t, "user/Observation.rs", "", nil))
	status, _, body = get("Observation?status=final&_count=1", obsOnly...)
	require.Equal(t, 200, status, string(body))
	for _, q := range []string{"Observation?subject:Patient.name=Smith", "Observation?_has:DiagnosticReport:result:status=final"} {
		status, _, body = get(q, obsOnly...)
		require.Equal(t, 403, status, "%s: %s", q, body)
	}
	status, _, body = get("Observation?subject:Patient.name=Smith", pt...)
	require.Equal(t, 200, status, "a chain into the patient compartment: %s", body)

	// Writes stay in the compartment.
	obs := func(patient string) string {
		return `{"resourceType":"Observation","status":"final","code":{"text":"note"},"subject":{"reference":"Patient/` + patient + `"}}`
	}
	pw := bearer(p.token(t, "patient/Observation.c patient/*.rs", p1, nil))
	status, _, body = httpDo(t, "POST", base+"/Observation", obs(p1), append(pw, "Content-Type", "application/fhir+json")...)
	require.Equal(t, 201, status, string(body))
	status, _, body = httpDo(t, "POST", base+"/Observation", obs(p2), append(pw, "Content-Type", "application/fhir+json")...)
	require.Equal(t, 403, status, string(body))

	// `fhirlake import` hands its work to the server with the local token.
	more := filepath.Join(dir, "more")
	require.NoError(t, run(ctx, []string{"generate", "--patients", "2", "--seed", "9", "--out", more}, &out, &out), out.String())
	out.Reset()
	require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "ward", more}, &out, &out), out.String())
	require.NoError(t, srv.stop())
	require.NoFileExists(t, filepath.Join(data, localTokenFile), "the local token lives as long as the server")

	// The audit log names each caller and how it authenticated, and holds
	// no secret.
	methods := map[string]bool{}
	require.NoError(t, auditRows(t, ctx, data, func(r audit.Record) error {
		if r.Kind == audit.KindFHIR {
			methods[r.Actor.User+"/"+r.Actor.Method] = true
		}
		if r.Kind == audit.KindGrant && r.Protocol == "http" {
			methods["grant by "+r.Actor.User] = true
		}
		return nil
	}))
	for _, want := range []string{"rita/token", "wes/password", "app-user/jwt", "wes/failed", "local/local", "root/password", "grant by root"} {
		require.True(t, methods[want], "audited %s among %v", want, methods)
	}
	require.NoError(t, filepath.Walk(data, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.False(t, bytes.Contains(b, []byte(ritaToken)), "%s holds an API token in clear", path)
		return nil
	}))
}

func jsonB64(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(b)
}

// searchIDs runs a search and returns the ids of its matches.
func searchIDs(t *testing.T, get func(string, ...string) (int, http.Header, []byte), q string, auth []string) []string {
	t.Helper()
	status, _, body := get(q, auth...)
	require.Equal(t, 200, status, "%s: %s", q, body)
	var b struct {
		Entry []struct {
			Resource struct{ ID string }
			Search   struct{ Mode string }
		}
	}
	require.NoError(t, json.Unmarshal(body, &b))
	var ids []string
	for _, e := range b.Entry {
		if e.Search.Mode == "match" {
			ids = append(ids, e.Resource.ID)
		}
	}
	return ids
}

type typedRef struct{ typ, id string }

// bundleRefs returns the type and id of every entry of a Bundle.
func bundleRefs(t *testing.T, body []byte) []typedRef {
	t.Helper()
	var b struct {
		Entry []struct {
			Resource struct{ ResourceType, ID string }
		}
	}
	require.NoError(t, json.Unmarshal(body, &b))
	var out []typedRef
	for _, e := range b.Entry {
		out = append(out, typedRef{e.Resource.ResourceType, e.Resource.ID})
	}
	return out
}
