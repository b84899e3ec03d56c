package engine

import (
	"context"
	"sync"

	"github.com/fhirlake/fhirlake/audit"
)

// AuditFiles returns the AuditSource of the plaintext audit log in dir,
// <data>/audit. It is AuditReader(audit.Reader{Dir: dir}); a sealed
// (encrypted) log needs AuditReader with the log's SealKey.
func AuditFiles(dir string) AuditSource {
	return AuditReader(audit.Reader{Dir: dir})
}

// AuditReader returns the AuditSource of the log that r reads (r.Dir,
// decrypted with r.SealKey when the log is sealed). It remembers where it
// stopped, so each call reads only the lines appended since; an
// incomplete last line (a write in progress) is left for the next call.
// It does not check the hash chain (audit.Verify does). A sealed log read
// without its key fails with an error wrapping audit.ErrEncrypted.
func AuditReader(r audit.Reader) AuditSource {
	return &auditFiles{tail: r.Tail()}
}

// auditFiles serialises the calls to one audit.Tail.
type auditFiles struct {
	mu   sync.Mutex
	tail *audit.Tail
}

// Records implements AuditSource.
func (a *auditFiles) Records(ctx context.Context, after uint64, fn func(audit.Record) error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tail.Records(ctx, after, fn)
}
