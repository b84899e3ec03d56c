package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// source is an opened input file, decompressed when it is gzip.
type source struct {
	f    *os.File
	gz   *gzip.Reader // nil for plain files
	in   *countingReader
	path string
}

// openSource opens path. A non-empty reason means the file cannot be read
// (it is then already closed) and should be rejected as a whole.
func openSource(path string) (*source, string) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "cannot open: " + errReason(err)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	magic, _ := br.Peek(2)
	named := strings.HasSuffix(strings.ToLower(path), ".gz")
	s := &source{f: f, path: path}
	switch {
	case len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		gz, err := gzip.NewReader(br)
		if err != nil {
			_ = f.Close()
			return nil, gzipReason(err)
		}
		s.gz = gz
		s.in = &countingReader{r: gz}
	case named && len(magic) > 0:
		_ = f.Close()
		return nil, "not a gzip file (the name ends in .gz but the content does not start with the gzip magic bytes)"
	default:
		s.in = &countingReader{r: br}
	}
	return s, ""
}

// bytesSource reads data held in memory.
func bytesSource(data []byte) *source {
	return &source{in: &countingReader{r: bytes.NewReader(data)}}
}

// Close releases the file.
func (s *source) Close() error {
	if s.gz != nil {
		_ = s.gz.Close()
	}
	if s.f == nil {
		return nil
	}
	return s.f.Close()
}

// failure describes the read error met so far, or "" if there was none.
func (s *source) failure() string {
	if s.in.err == nil {
		return ""
	}
	if s.gz != nil {
		return gzipReason(s.in.err)
	}
	return "read error: " + errReason(s.in.err)
}

func gzipReason(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "gzip: unexpected EOF (the compressed file is cut short)"
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "gzip: ") {
		return msg
	}
	return "gzip: " + msg
}

// errReason strips the "op path:" prefix of *os.PathError, since the
// RecordError already names the file.
func errReason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// countingReader counts bytes and remembers the first error other than
// io.EOF, so that a reader further up (bufio, the JSON stream) cannot hide it.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}
