package jobs

import (
	"errors"
	"fmt"
	"io"

	"github.com/fhirlake/fhirlake/internal/sealed"
)

// ErrEncrypted reports a sealed job file read without a key.
var ErrEncrypted = errors.New("jobs: the job file is encrypted: pass the key")

// AAD labels: each sealed file is bound to its kind and its job's id, so
// that one job's files cannot stand in for another's.
const (
	jobAADLabel    = "fhirlake import job v1\x00"
	reportAADLabel = "fhirlake import report v1\x00"
)

func jobAAD(id string) []byte    { return append([]byte(jobAADLabel), id...) }
func reportAAD(id string) []byte { return append([]byte(reportAADLabel), id...) }

// reportMagic starts a sealed stream (package sealed); a plaintext report
// starts with '{'.
const reportMagic = "FLSE"

// sealJob returns the stored form of the JSON b of job id: b itself
// without a key, else b sealed as one value (which starts with a version
// byte, never '{').
func sealJob(key []byte, id string, b []byte) ([]byte, error) {
	if key == nil {
		return b, nil
	}
	out, err := sealed.Seal(key, jobAAD(id), b)
	if err != nil {
		return nil, fmt.Errorf("jobs: seal job %s: %w", id, err)
	}
	return out, nil
}

// openJob returns the JSON of the stored job.json b of job id, decrypting
// it if it is sealed. A plaintext job.json is read with or without a key.
func openJob(key []byte, id string, b []byte) ([]byte, error) {
	if len(b) > 0 && b[0] == '{' {
		return b, nil
	}
	if key == nil {
		return nil, ErrEncrypted
	}
	pt, err := sealed.Open(key, jobAAD(id), b)
	if err != nil {
		return nil, fmt.Errorf("wrong key or damaged file: %w", err)
	}
	return pt, nil
}

// partialReader ends a sealed stream that is still being written at its
// last authenticated chunk: what follows is not readable yet.
type partialReader struct{ r io.Reader }

func (p partialReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err != nil && !errors.Is(err, io.EOF) {
		err = io.EOF
	}
	return n, err
}
