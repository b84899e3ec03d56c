package smart

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// maxTokenBytes caps the size of a token before any decoding.
const maxTokenBytes = 16 << 10

// allowedAlgorithms is the signature allow-list. HS256 is absent on
// purpose: with a public key as the HMAC secret it would let anyone forge
// tokens (algorithm confusion); "none" is absent because it is no
// signature at all.
var allowedAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256}

// Verifier checks bearer JWTs issued by one OAuth 2 authorization server.
// It is safe for concurrent use.
type Verifier struct {
	cfg  Config
	keys *keySet
}

// NewVerifier validates cfg and loads its key set (reading JWKSFile or
// fetching JWKSURL); it fails if no RS256 or ES256 key is found.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ks, err := loadKeySet(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Verifier{cfg: cfg, keys: ks}, nil
}

// Verify checks token (the compact JWS from "Authorization: Bearer …")
// and returns the principal it carries. Every refusal wraps
// ErrInvalidToken and is a *TokenError naming the reason. Other errors
// cannot occur: a key set URL that fails to refresh leaves the token
// refused as "key id not in key set".
func (v *Verifier) Verify(ctx context.Context, token string) (Principal, error) {
	alg, err := checkHeader(token)
	if err != nil {
		return Principal{}, err
	}
	tok, err := jwt.ParseSigned(token, allowedAlgorithms)
	if err != nil || len(tok.Headers) != 1 {
		return Principal{}, refuse("malformed token", err)
	}
	key, err := v.keys.key(ctx, tok.Headers[0].KeyID, alg)
	if err != nil {
		return Principal{}, err
	}
	var std jwt.Claims
	var sc smartClaims
	if err := tok.Claims(key.Key, &std, &sc); err != nil {
		if errors.Is(err, jose.ErrCryptoFailure) {
			return Principal{}, refuse("bad signature", err)
		}
		return Principal{}, refuse("malformed claims", err)
	}
	if err := v.checkClaims(std); err != nil {
		return Principal{}, err
	}
	return sc.principal(std.Subject)
}

// checkHeader decodes the protected header before the library does, so
// that a disallowed algorithm is reported as such rather than as a
// generic parse failure.
func checkHeader(token string) (jose.SignatureAlgorithm, error) {
	if len(token) > maxTokenBytes {
		return "", refuse("token too long", nil)
	}
	head, _, ok := strings.Cut(token, ".")
	if !ok || strings.Count(token, ".") != 2 {
		return "", refuse("malformed token: not three dot-separated parts", nil)
	}
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return "", refuse("malformed token: header is not base64url", err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return "", refuse("malformed token: header is not a JSON object", err)
	}
	alg := jose.SignatureAlgorithm(h.Alg)
	if !slices.Contains(allowedAlgorithms, alg) {
		return "", refuse("algorithm not allowed (only RS256 and ES256)", nil)
	}
	return alg, nil
}

// checkClaims checks iss, aud, exp, nbf and iat.
func (v *Verifier) checkClaims(c jwt.Claims) error {
	now, leeway := v.cfg.now(), v.cfg.leeway()
	switch {
	case c.Issuer != v.cfg.Issuer:
		return refuse("wrong issuer", nil)
	case !slices.ContainsFunc(v.cfg.Audience, c.Audience.Contains):
		return refuse("wrong audience", nil)
	case c.Expiry == nil:
		return refuse("no expiry (exp)", nil)
	case now.After(c.Expiry.Time().Add(leeway)):
		return refuse("expired", nil)
	case c.NotBefore != nil && now.Add(leeway).Before(c.NotBefore.Time()):
		return refuse("not yet valid (nbf)", nil)
	case c.IssuedAt != nil && now.Add(leeway).Before(c.IssuedAt.Time()):
		return refuse("issued in the future (iat)", nil)
	}
	return nil
}
