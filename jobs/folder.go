package jobs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/fhirlake/fhirlake/internal/sealed"
)

// Folder reads the jobs kept in one data store's folder without a
// Manager: `fhirlake import list|status` use it when no server runs.
type Folder struct {
	// Dir is the data store's folder; its jobs are in Dir/imports.
	Dir string
	// SealKey decrypts sealed job files (see Options.SealKey); nil reads
	// plaintext ones only. Plaintext files are read with or without it.
	SealKey []byte
}

// List reads the folder's jobs, oldest first. A data store without jobs
// has none; a job folder whose job.json is missing (a job being created)
// is skipped. A job.json that cannot be read (damaged, or sealed and no
// SealKey: ErrEncrypted) is skipped too, and reported in the error, which
// comes with the jobs that could be read.
func (f Folder) List() ([]Job, error) {
	dir := importsDir(f.Dir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	var out []Job
	var errs []error
	for _, e := range entries {
		if !e.IsDir() || !ValidID(e.Name()) {
			continue
		}
		j, err := load(filepath.Join(dir, e.Name()), f.SealKey)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			errs = append(errs, err)
		default:
			out = append(out, j)
		}
	}
	sortJobs(out)
	return out, errors.Join(errs...)
}

// Get reads one job. It returns an error wrapping ErrNotFound if there is
// no such job, ErrEncrypted if it is sealed and there is no SealKey.
func (f Folder) Get(id string) (Job, error) {
	if !ValidID(id) {
		return Job{}, fmt.Errorf("jobs: job %q: %w", id, ErrNotFound)
	}
	j, err := load(filepath.Join(importsDir(f.Dir), id), f.SealKey)
	if errors.Is(err, fs.ErrNotExist) {
		return j, fmt.Errorf("jobs: job %q: %w", id, ErrNotFound)
	}
	return j, err
}

// Report opens the error report of j (the file j.ErrorReport) for
// reading: NDJSON, one OperationOutcome per line, decrypted if it is
// sealed. A missing report (the job has not started) is an error wrapping
// fs.ErrNotExist; a sealed one without SealKey ErrEncrypted. Reading a
// sealed report with the wrong key, or a damaged one, fails with an error
// wrapping sealed.ErrAuth. While j runs, a sealed report is readable up
// to its last complete chunk (64 KiB) only: the rest, still in the
// writer's buffer or being written, appears when the job ends. The caller
// must Close the reader.
func (f Folder) Report(j Job) (io.ReadCloser, error) {
	file, err := os.Open(j.ErrorReport)
	if err != nil {
		return nil, fmt.Errorf("jobs: error report of job %s: %w", j.ID, err)
	}
	br := bufio.NewReaderSize(file, 64<<10)
	head, _ := br.Peek(len(reportMagic))
	if string(head) != reportMagic {
		return readCloser{br, file}, nil // plaintext (or empty)
	}
	if f.SealKey == nil {
		file.Close()
		return nil, fmt.Errorf("%w (error report of job %s)", ErrEncrypted, j.ID)
	}
	sr, err := sealed.NewReader(br, f.SealKey, reportAAD(j.ID))
	if err != nil && !j.State.Final() {
		return readCloser{eofReader{}, file}, nil // the header is being written
	}
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("jobs: error report of job %s: %w", j.ID, err)
	}
	if !j.State.Final() {
		return partialReport(sr, file)
	}
	return readCloser{&reportErrors{r: sr, id: j.ID}, file}, nil
}

// partialReport reads what can be read of the sealed report of a job
// that has not ended (its authenticated chunks) and keeps the complete
// lines.
func partialReport(sr io.Reader, file *os.File) (io.ReadCloser, error) {
	defer file.Close()
	b, err := io.ReadAll(partialReader{sr})
	if err != nil {
		return nil, fmt.Errorf("jobs: error report: %w", err)
	}
	b = b[:bytes.LastIndexByte(b, '\n')+1]
	return io.NopCloser(bytes.NewReader(b)), nil
}

// readCloser reads from r and closes c.
type readCloser struct {
	io.Reader
	c io.Closer
}

func (rc readCloser) Close() error { return rc.c.Close() }

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// reportErrors names the job in the errors of a sealed report.
type reportErrors struct {
	r  io.Reader
	id string
}

func (re *reportErrors) Read(b []byte) (int, error) {
	n, err := re.r.Read(b)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("jobs: error report of job %s (wrong key or damaged file): %w", re.id, err)
	}
	return n, err
}
