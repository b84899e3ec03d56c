package lockout

import "time"

// Defaults of Config.
const (
	DefaultMaxUserFailures = 5
	DefaultMaxAddrFailures = 20
	DefaultWindow          = 15 * time.Minute
	DefaultLockout         = 15 * time.Minute
	DefaultMaxEntries      = 100_000
	// MaxLockout caps a lock that doubled at each repetition.
	MaxLockout = 24 * time.Hour
)

// Config tunes a Limiter. A zero or negative field takes its default.
type Config struct {
	// MaxUserFailures is the number of consecutive failures for one user
	// (from any address) after which it is locked. Default 5.
	MaxUserFailures int
	// MaxAddrFailures is the number of failures from one address (for any
	// user, known or not) after which the address is locked. A success
	// does not reset it. Default 20.
	MaxAddrFailures int
	// Window is how long failures are remembered: a count is forgotten
	// once Window has passed since its last failure. Default 15m.
	Window time.Duration
	// Lockout is how long the first lock lasts. A user or address locked
	// again within MaxLockout of the end of its previous lock is locked
	// twice as long as the previous time, up to MaxLockout (24h).
	// Default 15m.
	Lockout time.Duration
	// MaxEntries caps each of the user and address maps. Default 100,000
	// (some tens of MB at most).
	MaxEntries int
}

// withDefaults returns c with each unset field set to its default.
func (c Config) withDefaults() Config {
	if c.MaxUserFailures <= 0 {
		c.MaxUserFailures = DefaultMaxUserFailures
	}
	if c.MaxAddrFailures <= 0 {
		c.MaxAddrFailures = DefaultMaxAddrFailures
	}
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.Lockout <= 0 {
		c.Lockout = DefaultLockout
	}
	if c.Lockout > MaxLockout {
		c.Lockout = MaxLockout
	}
	if c.MaxEntries <= 0 {
		c.MaxEntries = DefaultMaxEntries
	}
	return c
}
