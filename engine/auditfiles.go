package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/fhirlake/fhirlake/audit"
)

// AuditFiles returns the AuditSource of the plain (unencrypted) audit log
// in dir, <data>/audit: its NDJSON segment files 000001.ndjson, ….
// It remembers where it stopped, so each call reads only the lines
// appended since; an incomplete last line (a write in progress) is left
// for the next call. It does not check the hash chain (audit.Verify
// does).
func AuditFiles(dir string) AuditSource {
	return &auditFiles{dir: dir}
}

// auditFiles tails the segment files of one log.
type auditFiles struct {
	dir string

	mu sync.Mutex
	// seg and off are the segment and byte offset after the last
	// complete line read; seq is that line's record's seq.
	seg int
	off int64
	seq uint64
}

// Records implements AuditSource.
func (a *auditFiles) Records(ctx context.Context, after uint64, fn func(audit.Record) error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	segs, err := a.segments()
	if err != nil {
		return err
	}
	// The remembered position is a shortcut only: it is dropped when the
	// caller asks for records it skipped, or the file it points into is
	// gone or shorter (the log was replaced).
	if after < a.seq || !a.positionValid(segs) {
		a.seg, a.off, a.seq = 0, 0, 0
	}
	for _, n := range segs {
		if n < a.seg {
			continue
		}
		if n > a.seg {
			a.seg, a.off = n, 0
		}
		if err := a.readSegment(ctx, after, fn); err != nil {
			return err
		}
	}
	return nil
}

// positionValid reports whether the remembered position lies in an
// existing segment that is at least that long.
func (a *auditFiles) positionValid(segs []int) bool {
	if a.seg == 0 {
		return true
	}
	i := sort.SearchInts(segs, a.seg)
	if i == len(segs) || segs[i] != a.seg {
		return false
	}
	st, err := os.Stat(filepath.Join(a.dir, segmentFile(a.seg)))
	return err == nil && st.Size() >= a.off
}

// readSegment reads segment a.seg from a.off, calling fn for the records
// above after, and advances the position past each complete line.
func (a *auditFiles) readSegment(ctx context.Context, after uint64, fn func(audit.Record) error) error {
	path := filepath.Join(a.dir, segmentFile(a.seg))
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("engine: audit log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(a.off, io.SeekStart); err != nil {
		return fmt.Errorf("engine: audit log %s: %w", path, err)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	for i := 0; ; i++ {
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("engine: audit log: %w", err)
			}
		}
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return nil // the end, or a line still being written
		}
		if err != nil {
			return fmt.Errorf("engine: audit log %s: %w", path, err)
		}
		var r audit.Record
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("engine: audit log %s at byte %d: %w", path, a.off, err)
		}
		if r.Seq > after {
			if err := fn(r); err != nil {
				return err
			}
		}
		a.off += int64(len(line))
		a.seq = r.Seq
	}
}

// segments lists the log's segment numbers in order; a missing folder
// has none.
func (a *auditFiles) segments() ([]int, error) {
	ents, err := os.ReadDir(a.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("engine: audit log: %w", err)
	}
	var out []int
	for _, e := range ents {
		base, ok := strings.CutSuffix(e.Name(), ".ndjson")
		n, err := strconv.Atoi(base)
		if ok && err == nil && n > 0 && segmentFile(n) == e.Name() && e.Type().IsRegular() {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

// segmentFile is the name of segment n, as package audit writes it.
func segmentFile(n int) string { return fmt.Sprintf("%06d.ndjson", n) }
