package jobs

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"strings"
)

// Fragments finds the text of rejected records for the error report by
// reading their source files a second time. Rejects arrive in file order,
// so it keeps one reader per file and only moves forward: the cost is at
// most one extra read of the files that have rejected records. It reads
// local files, optionally gzip-compressed (".gz"); for other sources it
// finds nothing. It is not safe for concurrent use.
type Fragments struct {
	path string
	f    *os.File
	r    *bufio.Reader
	line int // lines consumed from r
}

// Fragment returns the start (at most MaxFragment bytes) of line of the
// file at path, or "" if it cannot be read or line is 0.
func (fr *Fragments) Fragment(path string, line int) string {
	if line <= 0 || strings.Contains(path, "://") {
		return ""
	}
	if path != fr.path || line <= fr.line {
		fr.Close()
		if !fr.open(path) {
			return ""
		}
	}
	for fr.line < line-1 {
		if _, err := fr.r.ReadSlice('\n'); err == bufio.ErrBufferFull {
			continue // a long line: keep reading it
		} else if err != nil {
			fr.Close()
			return ""
		}
		fr.line++
	}
	b, err := fr.r.ReadSlice('\n')
	s := truncate(strings.TrimSpace(string(b)), MaxFragment) // copied: b is overwritten by the next read
	if err == bufio.ErrBufferFull {
		fr.skipLine() // the rest of this line
	} else {
		fr.line++
	}
	return s
}

// skipLine consumes the rest of the current line.
func (fr *Fragments) skipLine() {
	for {
		_, err := fr.r.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			fr.line++
			return
		}
	}
}

func (fr *Fragments) open(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	var src io.Reader = f
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		z, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return false
		}
		src = z
	}
	fr.path, fr.f, fr.r, fr.line = path, f, bufio.NewReaderSize(src, 4096), 0
	return true
}

// Close releases the open file, if any.
func (fr *Fragments) Close() {
	if fr.f != nil {
		fr.f.Close()
	}
	fr.path, fr.f, fr.r, fr.line = "", nil, nil, 0
}
