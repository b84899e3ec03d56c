package jobs

import (
	"encoding/json"
	"fmt"
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
// or the new one, never a mix, even after a crash. With a key the record
// is sealed.
func save(dir string, j Job, key []byte) error {
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("jobs: encode job %s: %w", j.ID, err)
	}
	b = append(b, '\n')
	if b, err = sealJob(key, j.ID, b); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".job-*.tmp")
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	_, werr := tmp.Write(b)
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

// load reads dir/job.json, decrypting it with key if it is sealed. The
// job's id is the folder's name.
func load(dir string, key []byte) (Job, error) {
	var j Job
	path := filepath.Join(dir, jobFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return j, fmt.Errorf("jobs: %w", err)
	}
	if b, err = openJob(key, filepath.Base(dir), b); err != nil {
		return j, fmt.Errorf("jobs: %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return j, fmt.Errorf("jobs: %s: %w", path, err)
	}
	return j, nil
}

// List reads the plaintext jobs kept in a data store's folder (see
// [Folder.List]); sealed ones are reported as errors wrapping
// ErrEncrypted.
func List(storeDir string) ([]Job, error) { return Folder{Dir: storeDir}.List() }

// Get reads one plaintext job kept in a data store's folder (see
// [Folder.Get]).
func Get(storeDir, id string) (Job, error) { return Folder{Dir: storeDir}.Get(id) }

// sortJobs orders jobs by creation time, then id.
func sortJobs(js []Job) {
	sort.Slice(js, func(a, b int) bool {
		if !js[a].Created.Equal(js[b].Created) {
			return js[a].Created.Before(js[b].Created)
		}
		return js[a].ID < js[b].ID
	})
}
