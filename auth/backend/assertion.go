package backend

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// maxAssertionBytes caps an assertion before any decoding.
const maxAssertionBytes = 16 << 10

// assertionHeader is the part of a JWS protected header checked before
// the library parses the assertion.
type assertionHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
	Jku string `json:"jku"`
	X5u string `json:"x5u"`
}

// client is an authenticated client: its name and allowed scopes.
type client struct {
	name, scopes string
}

// authenticate verifies the client assertion of req, addressed to aud,
// and returns its client. claimed is the client the assertion names,
// verified or not, for the audit record.
func (e *endpoint) authenticate(ctx context.Context, req tokenRequest, aud string) (c client, claimed string, oe *oauthError) {
	h, oe := readHeader(req.assertion)
	if oe != nil {
		return client{}, req.clientID, oe
	}
	tok, err := jwt.ParseSigned(req.assertion, allowedAlgorithms)
	if err != nil || len(tok.Headers) != 1 {
		return client{}, req.clientID, badClient("malformed client_assertion")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return client{}, req.clientID, badClient("malformed client_assertion claims")
	}
	claimed = unverified.Issuer
	switch {
	case claimed == "":
		return client{}, req.clientID, badClient("the client_assertion has no iss (the client id)")
	case req.clientID != "" && req.clientID != claimed:
		return client{}, claimed, badClient("client_id differs from the client_assertion's iss")
	}
	jwks, scopes, ok, err := e.cfg.Client(ctx, claimed)
	if err != nil {
		return client{}, claimed, serverError(fmt.Sprintf("look up client %q: %v", claimed, err))
	}
	if !ok {
		return client{}, claimed, badClient(fmt.Sprintf("unknown client %s", quote(claimed)))
	}
	keys, err := ParseKeySet(jwks)
	if err != nil {
		return client{}, claimed, badClient(fmt.Sprintf("client %q has no usable registered key set: %v", claimed, err))
	}
	key, ok := findKey(keys, h.Kid, jose.SignatureAlgorithm(h.Alg))
	if !ok {
		return client{}, claimed, badClient(fmt.Sprintf("kid %s names no %s key of client %q", quote(h.Kid), h.Alg, claimed))
	}
	var claims jwt.Claims
	if err := tok.Claims(key.Key, &claims); err != nil {
		if errors.Is(err, jose.ErrCryptoFailure) {
			return client{}, claimed, badClient("bad client_assertion signature")
		}
		return client{}, claimed, badClient("malformed client_assertion claims")
	}
	if oe := e.checkClaims(claims, claimed, aud); oe != nil {
		return client{}, claimed, oe
	}
	return client{name: claimed, scopes: scopes}, claimed, nil
}

// readHeader decodes the protected header of a compact JWS and refuses a
// disallowed algorithm, a missing kid, and key references (jku, x5u) this
// server does not follow: the keys are those the client registered.
func readHeader(assertion string) (assertionHeader, *oauthError) {
	var h assertionHeader
	if len(assertion) > maxAssertionBytes {
		return h, badClient("client_assertion too long")
	}
	head, _, _ := strings.Cut(assertion, ".")
	if strings.Count(assertion, ".") != 2 {
		return h, badClient("malformed client_assertion: not a compact JWS (three dot-separated parts)")
	}
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil || json.Unmarshal(b, &h) != nil {
		return h, badClient("malformed client_assertion header")
	}
	switch {
	case !slices.Contains(allowedAlgorithms, jose.SignatureAlgorithm(h.Alg)):
		return h, badClient(fmt.Sprintf("client_assertion algorithm %s is not allowed (RS384, ES384, RS256, ES256)", quote(h.Alg)))
	case h.Kid == "":
		return h, badClient("the client_assertion header has no kid")
	case h.Jku != "" || h.X5u != "":
		return h, badClient("jku and x5u are not supported: register the client's key set")
	case h.Typ != "" && !strings.EqualFold(h.Typ, "JWT"):
		return h, badClient(fmt.Sprintf("client_assertion typ %s is not JWT", quote(h.Typ)))
	}
	return h, nil
}

// checkClaims checks the verified claims of client's assertion: iss and
// sub name the client, aud is the token endpoint, exp is present, not
// past and at most five minutes ahead, nbf and iat are not in the future,
// and jti is present and new.
func (e *endpoint) checkClaims(c jwt.Claims, client, aud string) *oauthError {
	now, leeway := e.cfg.Now(), e.cfg.Leeway
	switch {
	case c.Issuer != client || c.Subject != client:
		return badClient("the client_assertion's iss and sub must both be the client id")
	case !c.Audience.Contains(aud):
		return badClient("the client_assertion's aud must be the token endpoint URL " + aud)
	case c.Expiry == nil:
		return badClient("the client_assertion has no exp")
	case now.After(c.Expiry.Time().Add(leeway)):
		return badClient("the client_assertion has expired")
	case c.Expiry.Time().After(now.Add(MaxAssertionLifetime + leeway)):
		return badClient(fmt.Sprintf("the client_assertion's exp is more than %s ahead", MaxAssertionLifetime))
	case c.NotBefore != nil && now.Add(leeway).Before(c.NotBefore.Time()):
		return badClient("the client_assertion is not valid yet (nbf)")
	case c.IssuedAt != nil && now.Add(leeway).Before(c.IssuedAt.Time()):
		return badClient("the client_assertion was issued in the future (iat)")
	case c.ID == "":
		return badClient("the client_assertion has no jti")
	}
	fresh, full := e.replay.use(client, c.ID, c.Expiry.Time().Add(leeway), now)
	switch {
	case full:
		return &oauthError{http.StatusServiceUnavailable, errServer, "too many recent client assertions; retry later"}
	case !fresh:
		return badClient("the client_assertion's jti was already used")
	}
	return nil
}
