package audit

import (
	"context"
	"os"
	"path/filepath"
	"sort"
)

// Tail reads a log as it grows: it remembers where it stopped, so each
// call of Records reads only the lines appended since. It is what the
// engine's audit_log relation reads. A Tail is not safe for concurrent
// use.
type Tail struct {
	rd Reader
	// seg and off are the segment and byte offset after the last complete
	// line read; seq is that line's record's seq.
	seg int
	off int64
	seq uint64
}

// Tail returns a Tail of the log, positioned at its start.
func (rd Reader) Tail() *Tail { return &Tail{rd: rd} }

// Records calls fn with every record whose seq is above after, in seq
// order, and returns fn's first error. An incomplete last line (a write
// in progress) is left for the next call. It does not check the chain
// (Verify does). Keys are checked on every call, so a log that becomes
// sealed after the Tail was made is read only with its key.
func (t *Tail) Records(ctx context.Context, after uint64, fn func(Record) error) error {
	cd, err := t.rd.codec()
	if err != nil {
		return err
	}
	segs, err := segments(t.rd.Dir)
	if err != nil {
		return err
	}
	// The remembered position is a shortcut only: it is dropped when the
	// caller asks for records it skipped, or the file it points into is
	// gone or shorter (the log was replaced).
	if after < t.seq || !t.positionValid(segs) {
		t.seg, t.off, t.seq = 0, 0, 0
	}
	for _, n := range segs {
		if n < t.seg {
			continue
		}
		if n > t.seg {
			t.seg, t.off = n, 0
		}
		err := scanSegment(ctx, t.rd.Dir, n, t.off, cd, func(r Record, end int64) error {
			if r.Seq > after {
				if err := fn(r); err != nil {
					return err
				}
			}
			t.off, t.seq = end, r.Seq
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// positionValid reports whether the remembered position lies in an
// existing segment that is at least that long.
func (t *Tail) positionValid(segs []int) bool {
	if t.seg == 0 {
		return true
	}
	i := sort.SearchInts(segs, t.seg)
	if i == len(segs) || segs[i] != t.seg {
		return false
	}
	st, err := os.Stat(filepath.Join(t.rd.Dir, segmentName(t.seg)))
	return err == nil && st.Size() >= t.off
}
