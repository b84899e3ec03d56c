package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// maxLine bounds one record line when reading.
const maxLine = 16 << 20

// Rows calls fn with every record of the log in dir, in seq order. It
// decodes records but does not check the chain (use Verify for that); an
// incomplete last line (a write in progress, or torn by a crash) is
// skipped. It stops at the first error from fn, which it returns.
func Rows(ctx context.Context, dir string, fn func(Record) error) error {
	nums, err := segments(dir)
	if err != nil {
		return err
	}
	for _, n := range nums {
		if err := readSegment(ctx, filepath.Join(dir, segmentName(n)), fn); err != nil {
			return err
		}
	}
	return nil
}

// readSegment decodes the complete lines of one segment file.
func readSegment(ctx context.Context, path string, fn func(Record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("audit: read: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	for line := 1; ; line++ {
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("audit: read %s: %w", path, err)
			}
		}
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			b, err = readLong(br, b)
		}
		if errors.Is(err, io.EOF) {
			return nil // end of file, or an incomplete last line
		}
		if err != nil {
			return fmt.Errorf("audit: read %s: %w", path, err)
		}
		var r Record
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("audit: read %s line %d: %w", path, line, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

// readLong finishes a line longer than the reader's buffer.
func readLong(br *bufio.Reader, first []byte) ([]byte, error) {
	b := append([]byte(nil), first...)
	for len(b) < maxLine {
		more, err := br.ReadSlice('\n')
		b = append(b, more...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return b, err
		}
	}
	return nil, fmt.Errorf("audit: line longer than %d bytes", maxLine)
}
