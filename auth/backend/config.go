package backend

import (
	"context"
	"time"
)

// Defaults of the Config fields.
const (
	// DefaultTokenLifetime is how long an access token lasts; SMART
	// recommends at most five minutes.
	DefaultTokenLifetime = 5 * time.Minute
	// DefaultLeeway is the clock skew allowed on an assertion's exp, nbf
	// and iat.
	DefaultLeeway = 60 * time.Second
	// DefaultMaxReplay bounds the assertion ids (jti) remembered against
	// replay. Entries leave when their assertion expires; while the cache
	// is full of live entries, new assertions are refused.
	DefaultMaxReplay = 100_000
	// MaxAssertionLifetime is how far in the future an assertion's exp may
	// be (SMART: no more than five minutes after it is made).
	MaxAssertionLifetime = 5 * time.Minute
)

// Config configures the token endpoint. Client and Issue are required.
type Config struct {
	// Client returns the registered client called name: its JSON Web Key
	// Set (public keys) and the space-separated system scopes it may be
	// granted. ok is false when there is no such client (an unknown name,
	// or a principal that is not a client); err is for failures of the
	// lookup itself, which are answered 500.
	Client func(ctx context.Context, name string) (jwks []byte, scopes string, ok bool, err error)
	// Issue creates an access token for client with the granted scope,
	// valid until expires, and returns the secret handed to the client.
	Issue func(ctx context.Context, client, scope string, expires time.Time) (token string, err error)
	// Audit, when set, records each request's outcome: ok with the granted
	// scope as reason, or a refusal and why. client is the name the request
	// claimed (possibly unauthenticated, or empty). An error refuses the
	// request with a server error: an access token is never handed out
	// unrecorded (the one issued then expires unused).
	Audit func(ctx context.Context, client string, ok bool, reason string) error
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// TokenLifetime is the lifetime of an access token; zero or negative
	// means DefaultTokenLifetime.
	TokenLifetime time.Duration
	// Leeway is the clock skew allowed; zero means DefaultLeeway.
	Leeway time.Duration
	// Audience, when set, is the one aud an assertion must name (the
	// public token endpoint URL behind a proxy). By default it is the URL
	// the client addressed: https when the request came over TLS, else
	// http, then the Host header and /auth/token.
	Audience string
	// MaxReplay bounds the replay cache; zero means DefaultMaxReplay.
	MaxReplay int
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.TokenLifetime <= 0 {
		c.TokenLifetime = DefaultTokenLifetime
	}
	if c.Leeway <= 0 {
		c.Leeway = DefaultLeeway
	}
	if c.MaxReplay <= 0 {
		c.MaxReplay = DefaultMaxReplay
	}
	return c
}
