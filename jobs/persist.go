package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// File names inside a job's folder.
const (
	jobFile    = "job.json"
	reportFile = "errors.ndjson"
)

// importsDir is the folder of a data store's jobs, under its folder.
func importsDir(storeDir string) string { return filepath.Join(storeDir, "imports") }

// save writes j to dir/job.json atomically: a reader sees the old record
// or the new one, never a mix, even after a crash.
func save(dir string, j Job) error {
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("jobs: encode job %s: %w", j.ID, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".job-*.tmp")
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), filepath.Join(dir, jobFile))
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("jobs: save job %s: %w", j.ID, werr)
	}
	return nil
}

// load reads dir/job.json.
func load(dir string) (Job, error) {
	var j Job
	b, err := os.ReadFile(filepath.Join(dir, jobFile))
	if err != nil {
		return j, fmt.Errorf("jobs: %w", err)
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return j, fmt.Errorf("jobs: %s: %w", filepath.Join(dir, jobFile), err)
	}
	return j, nil
}

// List reads the jobs kept in a data store's folder, oldest first,
// without a Manager: `fhirlake import list` uses it when no server runs.
// A data store without jobs has none; a job folder whose job.json is
// missing (a job being created) is skipped. A job.json that cannot be
// read is skipped too, and reported in the error, which comes with the
// jobs that could be read.
func List(storeDir string) ([]Job, error) {
	dir := importsDir(storeDir)
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
		j, err := load(filepath.Join(dir, e.Name()))
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

// Get reads one job kept in a data store's folder, without a Manager. It
// returns an error wrapping ErrNotFound if there is no such job.
func Get(storeDir, id string) (Job, error) {
	if !ValidID(id) {
		return Job{}, fmt.Errorf("jobs: job %q: %w", id, ErrNotFound)
	}
	j, err := load(filepath.Join(importsDir(storeDir), id))
	if errors.Is(err, fs.ErrNotExist) {
		return j, fmt.Errorf("jobs: job %q: %w", id, ErrNotFound)
	}
	return j, err
}

// sortJobs orders jobs by creation time, then id.
func sortJobs(js []Job) {
	sort.Slice(js, func(a, b int) bool {
		if !js[a].Created.Equal(js[b].Created) {
			return js[a].Created.Before(js[b].Created)
		}
		return js[a].ID < js[b].ID
	})
}
