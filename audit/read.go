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

// Reader reads the log in a folder without opening it for appending (it
// takes no lock, so it may run beside the server that appends). The zero
// keys read a plaintext log with a plain chain.
type Reader struct {
	// Dir is the log's folder, <data>/audit.
	Dir string
	// Key is the chain key of a keyed log (Options.Key); only Verify
	// needs it.
	Key []byte
	// SealKey is the key a sealed log was created with (Options.SealKey);
	// nil for a plaintext log. A sealed log read without it fails with an
	// error wrapping ErrEncrypted, with another key ErrWrongKey; a
	// plaintext log holding records read with it fails with ErrNotSealed.
	SealKey []byte
}

// codec checks SealKey against the log and returns how to open its lines.
func (rd Reader) codec() (codec, error) {
	cd, _, err := newCodec(rd.Dir, rd.SealKey, false)
	return cd, err
}

// Rows calls fn with every record of the plaintext log in dir (see
// [Reader.Rows]). A sealed log fails with an error wrapping ErrEncrypted.
func Rows(ctx context.Context, dir string, fn func(Record) error) error {
	return Reader{Dir: dir}.Rows(ctx, fn)
}

// Rows calls fn with every record of the log, in seq order. It decodes
// (and decrypts) records but does not check the chain (use Verify for
// that); an incomplete last line (a write in progress, or torn by a
// crash) is skipped. It stops at the first error from fn, which it
// returns.
func (rd Reader) Rows(ctx context.Context, fn func(Record) error) error {
	cd, err := rd.codec()
	if err != nil {
		return err
	}
	nums, err := segments(rd.Dir)
	if err != nil {
		return err
	}
	for _, n := range nums {
		err := scanSegment(ctx, rd.Dir, n, 0, cd, func(r Record, _ int64) error { return fn(r) })
		if err != nil {
			return err
		}
	}
	return nil
}

// scanSegment decodes the complete lines of segment n from byte off on,
// calling fn with each record and the offset just after its line.
func scanSegment(ctx context.Context, dir string, n int, off int64, cd codec, fn func(Record, int64) error) error {
	path := filepath.Join(dir, segmentName(n))
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("audit: read: %w", err)
	}
	defer f.Close()
	if off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return fmt.Errorf("audit: read %s: %w", path, err)
		}
	}
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
		off += int64(len(b))
		r, err := decodeStored(cd, n, b)
		if err != nil {
			return fmt.Errorf("audit: read %s at byte %d: %w", path, off-int64(len(b)), err)
		}
		if err := fn(r, off); err != nil {
			return err
		}
	}
}

// decodeStored decodes one stored line (with its newline) of segment n.
func decodeStored(cd codec, n int, b []byte) (Record, error) {
	var r Record
	pt, err := cd.open(n, b[:len(b)-1])
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(pt, &r); err != nil {
		return r, err
	}
	return r, nil
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
