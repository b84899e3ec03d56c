package ingest

import (
	"bytes"
	"io"
)

// lineTracker passes reads through and remembers where the newlines are,
// so that input offsets can be turned into line numbers without rescanning.
// Offsets must be asked for in non-decreasing order; newlines before the
// last asked offset are forgotten, so memory is bounded by the reader's
// read-ahead, not by the file.
type lineTracker struct {
	r     io.Reader
	off   int64   // bytes read so far
	nl    []int64 // offsets of newlines not yet passed by lineAt
	head  int     // nl[head:] is pending
	lines int     // newlines before the last asked offset, plus base
}

// newLineTracker reads r; the first byte of r is on line base+1.
func newLineTracker(r io.Reader, base int) *lineTracker {
	return &lineTracker{r: r, lines: base}
}

func (t *lineTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		t.nl = append(t.nl, t.off+int64(i+j))
		i += j + 1
	}
	t.off += int64(n)
	return n, err
}

// lineAt returns the 1-based line of byte offset off.
func (t *lineTracker) lineAt(off int64) int {
	for t.head < len(t.nl) && t.nl[t.head] < off {
		t.head++
		t.lines++
	}
	if t.head > 1024 && t.head*2 > len(t.nl) {
		t.nl = append(t.nl[:0], t.nl[t.head:]...)
		t.head = 0
	}
	return t.lines + 1
}

// lineReached returns the line of the next byte to be read: where a read
// error interrupted the input.
func (t *lineTracker) lineReached() int {
	return t.lineAt(t.off)
}
