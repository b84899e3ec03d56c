package smart

import (
	"errors"
	"net/http"
	"time"
)

// DefaultLeeway is the clock-skew allowance used when Config.Leeway is zero.
const DefaultLeeway = 60 * time.Second

// Config configures a Verifier and the SMART configuration document.
type Config struct {
	// Issuer must equal the token's iss claim exactly. Required.
	Issuer string
	// Audience lists the accepted audiences; the token's aud claim must
	// contain at least one of them. Required (usually the FHIR base URL).
	Audience []string
	// JWKSFile is a JSON Web Key Set file read once by NewVerifier.
	// Exactly one of JWKSFile and JWKSURL must be set.
	JWKSFile string
	// JWKSURL is fetched by NewVerifier, again when a token names a key id
	// not in the set (at most once a minute), and again when the set is
	// older than an hour.
	JWKSURL string
	// Leeway is the clock-skew allowance applied to exp, nbf and iat.
	// Zero means DefaultLeeway (60 s); a negative value means none.
	Leeway time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// HTTPClient fetches JWKSURL; nil means a client with a 10 s timeout.
	HTTPClient *http.Client

	// TokenEndpoint is advertised by WellKnown; empty means
	// baseURL + "/auth/token" (fhirlake's client-credentials endpoint).
	TokenEndpoint string
	// AuthorizationEndpoint is advertised by WellKnown when an external
	// authorization server offers the authorization-code grant; empty
	// means only client_credentials is advertised.
	AuthorizationEndpoint string
}

// leeway returns the effective clock-skew allowance.
func (c Config) leeway() time.Duration {
	switch {
	case c.Leeway == 0:
		return DefaultLeeway
	case c.Leeway < 0:
		return 0
	}
	return c.Leeway
}

// now returns the current time from c.Now or the clock.
func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// validate reports a configuration that cannot verify tokens safely.
func (c Config) validate() error {
	switch {
	case c.Issuer == "":
		return errors.New("smart: config: Issuer is required")
	case len(c.Audience) == 0:
		return errors.New("smart: config: Audience is required")
	case c.JWKSFile == "" && c.JWKSURL == "":
		return errors.New("smart: config: one of JWKSFile and JWKSURL is required")
	case c.JWKSFile != "" && c.JWKSURL != "":
		return errors.New("smart: config: JWKSFile and JWKSURL are exclusive")
	}
	for _, a := range c.Audience {
		if a == "" {
			return errors.New("smart: config: empty Audience entry")
		}
	}
	return nil
}
