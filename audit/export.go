package audit

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"
)

// Export writes the records of the plaintext log in dir as AuditEvent
// resources (see [Reader.Export]). A sealed log fails with an error
// wrapping ErrEncrypted.
func Export(ctx context.Context, dir string, w io.Writer, since time.Time) (int, error) {
	return Reader{Dir: dir}.Export(ctx, w, since)
}

// Export writes the records of the log recorded at or after since (all
// of them for a zero since) to w as NDJSON FHIR R4 AuditEvent resources
// (see [AuditEvent]), in seq order, and returns how many it wrote. It
// does not verify the chain; run Verify first to export only a log known
// to be intact. The output is plaintext: w decides where it goes.
func (rd Reader) Export(ctx context.Context, w io.Writer, since time.Time) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 0
	err := rd.Rows(ctx, func(r Record) error {
		if r.Time.Before(since) {
			return nil
		}
		b, err := AuditEvent(r)
		if err != nil {
			return err
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return fmt.Errorf("audit: export: %w", err)
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("audit: export: %w", err)
	}
	return n, nil
}
