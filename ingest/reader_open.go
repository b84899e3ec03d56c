package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// source is an opened input, decompressed when it is gzip or zstd.
type source struct {
	c    io.Closer     // the underlying file or stream; nil for bytes
	gz   *gzip.Reader  // nil unless gzip
	zr   *zstd.Decoder // nil unless zstd
	in   *countingReader
	path string
}

// opener opens an input once more; Bundles are read in two passes. A
// non-empty reason means the input cannot be read and should be rejected
// as a whole.
type opener func() (*source, string)

// openSource opens the local file at path (see [openStream]).
func openSource(path string) (*source, string) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "cannot open: " + errReason(err)
	}
	return openStream(path, f)
}

// Magic bytes of the compressed formats.
var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// openStream wraps rc, named name, decompressing it when its content
// starts with the gzip or zstd magic bytes. A name ending in ".gz" or
// ".zst" whose content does not match is rejected. A non-empty reason
// means rc cannot be read (it is then already closed).
func openStream(name string, rc io.ReadCloser) (*source, string) {
	br := bufio.NewReaderSize(rc, 64<<10)
	magic, _ := br.Peek(4)
	lower := strings.ToLower(name)
	s := &source{c: rc, path: name}
	fail := func(reason string) (*source, string) {
		_ = rc.Close()
		return nil, reason
	}
	switch {
	case bytes.HasPrefix(magic, gzipMagic):
		gz, err := gzip.NewReader(br)
		if err != nil {
			return fail(gzipReason(err))
		}
		s.gz, s.in = gz, &countingReader{r: gz}
	case bytes.HasPrefix(magic, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return fail(zstdReason(err))
		}
		s.zr, s.in = zr, &countingReader{r: zr}
	case strings.HasSuffix(lower, ".gz") && len(magic) > 0:
		return fail("not a gzip file (the name ends in .gz but the content does not start with the gzip magic bytes)")
	case strings.HasSuffix(lower, ".zst") && len(magic) > 0:
		return fail("not a zstd file (the name ends in .zst but the content does not start with the zstd magic bytes)")
	default:
		s.in = &countingReader{r: br}
	}
	return s, ""
}

// bytesSource reads data held in memory.
func bytesSource(data []byte) *source {
	return &source{in: &countingReader{r: bytes.NewReader(data)}}
}

// Close releases the file or stream.
func (s *source) Close() error {
	if s.gz != nil {
		_ = s.gz.Close()
	}
	if s.zr != nil {
		s.zr.Close()
	}
	if s.c == nil {
		return nil
	}
	return s.c.Close()
}

// failure describes the read error met so far, or "" if there was none.
func (s *source) failure() string {
	if s.in.err == nil {
		return ""
	}
	if s.gz != nil {
		return gzipReason(s.in.err)
	}
	if s.zr != nil {
		return zstdReason(s.in.err)
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

func zstdReason(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "zstd: unexpected EOF (the compressed file is cut short)"
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "zstd: ") {
		return msg
	}
	return "zstd: " + msg
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
