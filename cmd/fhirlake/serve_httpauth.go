package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/access"
	"github.com/fhirlake/fhirlake/api"
	"github.com/fhirlake/fhirlake/auth"
	"github.com/fhirlake/fhirlake/auth/apitoken"
	"github.com/fhirlake/fhirlake/auth/lockout"
	"github.com/fhirlake/fhirlake/auth/smart"
	"github.com/fhirlake/fhirlake/catalog"
)

// localTokenFile is the file in the data folder holding the secret of the
// running server's local administrator: commands of this machine that find
// the folder held by a server (fhirlake import) read it to hand their work
// over. Whoever can read it can read the data folder itself, so it grants
// nothing more.
const localTokenFile = "serve.token"

// httpAuthConfig is what serve's flags say about HTTP authentication.
type httpAuthConfig struct {
	jwtIssuer, jwtAudience string
	jwksFile, jwksURL      string
}

// httpAuthenticator identifies FHIR API callers with the same users and
// grants as the Postgres listener: opaque API tokens (fhirlake token
// create), passwords (HTTP Basic, the users' SCRAM verifiers), OAuth 2
// bearer JWTs of a configured identity provider (SMART scopes), and the
// server's local token. Failed attempts count toward the shared lockout.
type httpAuthenticator struct {
	cat   *catalog.Catalog
	lock  *lockout.Limiter
	local string
	jwt   *smart.Verifier
	now   func() time.Time
}

// trustedHTTP is the quickstart's authenticator: no user exists and every
// listener is on loopback, so every local request acts as the trusted
// administrator, as on the Postgres listener.
type trustedHTTP struct{}

func (trustedHTTP) Authenticate(*http.Request) (api.Caller, error) {
	return api.Caller{Name: trustedUser, Method: "trusted", Roles: adminRoles}, nil
}

// adminRoles holds admin on every data store.
func adminRoles(string) ([]string, error) { return []string{access.Admin}, nil }

// challenge is the WWW-Authenticate of a request without usable
// credentials (RFC 6750, RFC 7617).
const challenge = `Bearer realm="fhirlake", Basic realm="fhirlake", charset="UTF-8"`

func unauthorized(msg string) error {
	return &api.AuthError{Status: http.StatusUnauthorized, Message: msg, Challenge: challenge}
}

func invalidToken(msg string) error {
	return &api.AuthError{Status: http.StatusUnauthorized, Message: msg,
		Challenge: `Bearer realm="fhirlake", error="invalid_token", error_description="` + strings.ReplaceAll(msg, `"`, "'") + `"`}
}

// Authenticate implements api.Authenticator.
func (a *httpAuthenticator) Authenticate(r *http.Request) (api.Caller, error) {
	addr := clientIP(r.RemoteAddr)
	now := a.now()
	if user, password, ok := r.BasicAuth(); ok {
		return a.password(r.Context(), user, password, addr, now)
	}
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch {
	case h == "":
		return api.Caller{}, unauthorized("authentication required: send an API token (Authorization: Bearer …, from fhirlake token create), an OAuth 2 access token, or a user's password (HTTP Basic)")
	case !strings.EqualFold(scheme, "Bearer"):
		return api.Caller{}, unauthorized(fmt.Sprintf("authorization scheme %q is not supported: use Bearer or Basic", scheme))
	}
	cred = strings.TrimSpace(cred)
	if err := a.lock.Check("", addr, now); err != nil {
		return api.Caller{}, lockedOut(err)
	}
	if a.local != "" && subtle.ConstantTimeCompare([]byte(cred), []byte(a.local)) == 1 {
		return api.Caller{Name: "local", Method: "local", Roles: adminRoles}, nil
	}
	if id, ok := apitoken.Parse(cred); ok {
		c, err := a.apiToken(id, cred, now)
		if err != nil {
			a.lock.Failed("", addr, now)
		}
		return c, err
	}
	if a.jwt == nil {
		a.lock.Failed("", addr, now)
		return api.Caller{}, invalidToken("the bearer token is not a fhirlake API token, and this server accepts no OAuth tokens (serve --jwt-issuer)")
	}
	p, err := a.jwt.Verify(r.Context(), cred)
	if errors.Is(err, smart.ErrInvalidToken) {
		a.lock.Failed("", addr, now)
		return api.Caller{}, invalidToken(err.Error())
	}
	if err != nil {
		return api.Caller{}, err
	}
	c := api.Caller{Name: p.Subject, Client: p.ClientID, Method: "jwt", SMART: &p}
	// A subject that is also a fhirlake user carries its grants, which the
	// scopes then narrow; any other subject has its scopes alone.
	if _, err := a.cat.User(p.Subject); err == nil {
		c.Roles = a.rolesOf(p.Subject)
	}
	return c, nil
}

// apiToken checks an opaque token against its stored hash and expiry.
func (a *httpAuthenticator) apiToken(id, secret string, now time.Time) (api.Caller, error) {
	t, err := a.cat.Token(id)
	if errors.Is(err, catalog.ErrNotFound) {
		return api.Caller{}, invalidToken("unknown or revoked API token")
	}
	if err != nil {
		return api.Caller{}, err
	}
	switch {
	case !apitoken.Matches(secret, t.Hash):
		return api.Caller{}, invalidToken("unknown or revoked API token")
	case t.Expired(now):
		return api.Caller{}, invalidToken(fmt.Sprintf("the API token %s expired at %s", t.ID, t.Expires.UTC().Format(time.RFC3339)))
	}
	if _, err := a.cat.User(t.User); err != nil {
		return api.Caller{}, invalidToken("the API token's user no longer exists")
	}
	if t.Scope != "" {
		// An access token of a SMART Backend Services client: its
		// granted scopes narrow the client's roles.
		scopes, _ := smart.ParseScopes(t.Scope)
		p := &smart.Principal{Subject: t.User, ClientID: t.User, Scopes: scopes}
		return api.Caller{Name: t.User, Client: t.User, Method: "client-credentials", Roles: a.rolesOf(t.User), SMART: p}, nil
	}
	return api.Caller{Name: t.User, Method: "token", Roles: a.rolesOf(t.User)}, nil
}

// password checks HTTP Basic credentials against the user's SCRAM
// verifier, under the shared lockout.
func (a *httpAuthenticator) password(_ context.Context, user, password, addr string, now time.Time) (api.Caller, error) {
	if err := a.lock.Check(user, addr, now); err != nil {
		return api.Caller{}, lockedOut(err)
	}
	fail := func() (api.Caller, error) {
		a.lock.Failed(user, addr, now)
		return api.Caller{}, unauthorized("wrong user name or password")
	}
	u, err := a.cat.User(user)
	if errors.Is(err, catalog.ErrNotFound) || err == nil && u.IsClient() {
		return fail() // a client has no password: it authenticates at /auth/token
	}
	if err != nil {
		return api.Caller{}, err
	}
	v, err := auth.ParseVerifier(u.Verifier)
	if err != nil {
		return api.Caller{}, fmt.Errorf("serve: user %s: %w", user, err)
	}
	if !v.Matches(password) {
		return fail()
	}
	a.lock.Succeeded(user, addr)
	return api.Caller{Name: user, Method: "password", Roles: a.rolesOf(user)}, nil
}

func (a *httpAuthenticator) rolesOf(user string) func(string) ([]string, error) {
	return func(ds string) ([]string, error) { return a.cat.RolesOn(user, ds) }
}

// lockedOut turns a lockout refusal into a 429.
func lockedOut(err error) error {
	var le *lockout.LockedError
	if errors.As(err, &le) {
		return &api.AuthError{Status: http.StatusTooManyRequests, Message: le.Error(), RetryAfter: time.Until(le.Until)}
	}
	return err
}

// clientIP is the address part of a RemoteAddr.
func clientIP(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return remote
	}
	return host
}

// httpSecurity decides how the FHIR listener authenticates, mirroring
// pgSecurity: with no user and every listener on loopback, the trusted
// quickstart; otherwise every request but the CapabilityStatement and
// the SMART configuration must authenticate. It writes the local token
// (see localTokenFile) and returns a function removing it.
func httpSecurity(ctx context.Context, l *lake, trusted bool, cfg httpAuthConfig, lock *lockout.Limiter, out io.Writer) (api.Authenticator, *smart.Config, func(), error) {
	var smartCfg *smart.Config
	if cfg.jwtIssuer != "" || cfg.jwksFile != "" || cfg.jwksURL != "" {
		if cfg.jwtIssuer == "" || cfg.jwtAudience == "" || (cfg.jwksFile == "") == (cfg.jwksURL == "") {
			return nil, nil, nil, usagef("serve: OAuth bearer tokens need --jwt-issuer, --jwt-audience and one of --jwks-file and --jwks-url")
		}
		smartCfg = &smart.Config{Issuer: cfg.jwtIssuer, Audience: strings.Split(cfg.jwtAudience, ","), JWKSFile: cfg.jwksFile, JWKSURL: cfg.jwksURL}
	}
	if trusted {
		fmt.Fprintf(out, "auth:     no user exists and every listener is on loopback: FHIR requests act as the trusted %s\n", trustedUser)
		return trustedHTTP{}, smartCfg, func() {}, nil
	}
	a := &httpAuthenticator{cat: l.cat, lock: lock, now: time.Now}
	if smartCfg != nil {
		v, err := smart.NewVerifier(ctx, *smartCfg)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("serve: OAuth bearer tokens: %w", err)
		}
		a.jwt = v
	}
	secret, remove, err := writeLocalToken(l.cat.Dir())
	if err != nil {
		return nil, nil, nil, err
	}
	a.local = secret
	how := "API tokens (fhirlake token create) or passwords (HTTP Basic)"
	if a.jwt != nil {
		how += ", or OAuth 2 bearer tokens of " + cfg.jwtIssuer + " with SMART scopes"
	}
	fmt.Fprintf(out, "auth:     FHIR requests need %s; each is checked against the caller's roles on its data store\n", how)
	return a, smartCfg, remove, nil
}

// writeLocalToken creates the local token file (mode 0600) and returns
// its secret and a function removing it.
func writeLocalToken(dir string) (string, func(), error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("serve: local token: %w", err)
	}
	secret := "local_" + base64.RawURLEncoding.EncodeToString(b)
	path := filepath.Join(dir, localTokenFile)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", nil, fmt.Errorf("serve: local token: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return "", nil, fmt.Errorf("serve: local token: %w", err)
	}
	return secret, func() { _ = os.Remove(path) }, nil
}

// readLocalToken returns the running server's local token for a command
// that hands its work over, or "" when the server trusts local requests.
func readLocalToken(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, localTokenFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// smartConfiguration returns the SMART configuration document server for
// the API: capabilities and the token endpoint, and the issuer's key set
// when OAuth tokens are accepted.
func smartConfiguration(cfg *smart.Config) func(string) []byte {
	var c smart.Config
	if cfg != nil {
		c = *cfg
	}
	return func(base string) []byte {
		// The token endpoint is served once, at the server's root, for
		// every data store's base URL.
		cc := c
		if cc.TokenEndpoint == "" {
			root := base
			if i := strings.Index(base, "/fhir/"); i >= 0 {
				root = base[:i]
			}
			cc.TokenEndpoint = root + "/auth/token"
		}
		return smart.WellKnown(cc, base, nil)
	}
}
