package export

import (
	"log/slog"
	"time"
)

// Options configure a [Manager]. The zero value uses the defaults given on
// each field.
type Options struct {
	// MaxRunning is how many jobs run at once; more are queued. Default 2.
	MaxRunning int
	// MaxPending is how many jobs may be queued or running at once; a
	// kick-off beyond it gets 429 Too Many Requests. Default 16.
	MaxPending int
	// PartSize is the most resources written to one output file; a type
	// with more is split into several files. Default 100,000.
	PartSize int
	// Retention is how long a finished (or failed) job's manifest and
	// files are kept after it finished. Default 24 hours.
	Retention time.Duration
	// RetryAfter is the polling interval suggested to clients in the
	// Retry-After header of a status response. Default 2 seconds.
	RetryAfter time.Duration
	// Logger receives a record per job start, end and failure, and a
	// warning per ignored parameter. Defaults to discarding.
	Logger *slog.Logger
	// Now returns the current time, used for transactionTime and
	// expiry. Defaults to time.Now.
	Now func() time.Time
	// DeidKey returns the secret key of data store ds's
	// de-identification (deid.Options.Key) for kick-offs with
	// _deid=safe-harbor; use the key of the data store's de-identified
	// views, so that pseudonyms agree. Nil refuses such kick-offs (400).
	DeidKey func(ds string) ([]byte, error)
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.MaxRunning <= 0 {
		o.MaxRunning = 2
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 16
	}
	if o.PartSize <= 0 {
		o.PartSize = 100_000
	}
	if o.Retention <= 0 {
		o.Retention = 24 * time.Hour
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
