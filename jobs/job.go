package jobs

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Counts counts what happened to the resources of one type.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Progress is how far a job's import has got.
type Progress struct {
	Files      int   `json:"files"`
	FilesTotal int   `json:"filesTotal"`
	BytesRead  int64 `json:"bytesRead"`
	BytesTotal int64 `json:"bytesTotal"`
	// Records counts the valid resources committed to the store.
	Records int `json:"records"`
	// Rejected counts the records rejected, each a line of the error
	// report.
	Rejected int `json:"rejected"`
	// Normalized counts the records changed by normalisation (each
	// carries the normalize tag in meta.tag).
	Normalized int               `json:"normalized,omitempty"`
	ByType     map[string]Counts `json:"byType,omitempty"`
}

// Job is one import. Its JSON form is job.json and the body of the HTTP
// admin API's answers.
type Job struct {
	ID        string   `json:"id"`
	Datastore string   `json:"datastore"`
	Inputs    []string `json:"inputs"`
	// Mapping is the path of the CSV mapping (package ingest/csvmap) that
	// converts the job's .csv inputs: a copy, in the job's folder, of the
	// mapping given when the job was submitted, so that running the job
	// again does not depend on the original file. "" when there is none.
	Mapping string `json:"mapping,omitempty"`
	// Normalize says that records are normalised (package
	// ingest/normalize) before they are stored. Imports set it unless
	// asked not to; a job.json written before it existed reads as false.
	Normalize bool `json:"normalize"`
	// CreatedDatastore reports that the data store was created for this
	// job.
	CreatedDatastore bool      `json:"createdDatastore,omitempty"`
	State            State     `json:"state"`
	Created          time.Time `json:"created"`
	Started          time.Time `json:"started,omitzero"`
	Finished         time.Time `json:"finished,omitzero"`
	// Runs counts the times the job was started; more than one means it
	// was interrupted and run again.
	Runs     int      `json:"runs"`
	Progress Progress `json:"progress"`
	// RecordsPerSecond and ETASeconds are computed from Progress when the
	// job is read (see [Job.Rates]); ETASeconds is 0 when unknown.
	RecordsPerSecond float64 `json:"recordsPerSecond"`
	BytesPerSecond   float64 `json:"bytesPerSecond"`
	ETASeconds       float64 `json:"etaSeconds,omitempty"`
	// Skipped are input files that were not read (not FHIR NDJSON or
	// JSON); Warnings tell of other problems that did not fail the job,
	// such as resources a view could not flatten.
	Skipped  []string `json:"skipped,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// StageSeconds is the time each stage of the import was busy, in
	// seconds, summed over runs: read (parse and validate), normalize,
	// write (resolve references and commit), resolve (the retried
	// references at the end), link (patient record linkage, when Patients
	// were written) and views (flatten, index, cluster). Read,
	// normalize and write run at the same time, so the sum exceeds the
	// elapsed time.
	StageSeconds map[string]float64 `json:"stageSeconds,omitempty"`
	// Error says why a failed job failed.
	Error string `json:"error,omitempty"`
	// ErrorReport is the path of the NDJSON error report on the server.
	ErrorReport string `json:"errorReport"`
}

// Elapsed is the time the job has run: until now while it runs, until it
// finished after.
func (j Job) Elapsed(now time.Time) time.Duration {
	switch {
	case j.Started.IsZero():
		return 0
	case j.Finished.IsZero():
		return now.Sub(j.Started)
	}
	return j.Finished.Sub(j.Started)
}

// Rates returns j with RecordsPerSecond, BytesPerSecond and ETASeconds
// computed from its progress as of now. The ETA assumes the bytes still
// to read go at the rate so far; it is 0 when nothing was read yet or
// the job is not running.
func (j Job) Rates(now time.Time) Job {
	secs := j.Elapsed(now).Seconds()
	j.RecordsPerSecond, j.BytesPerSecond, j.ETASeconds = 0, 0, 0
	if secs <= 0 {
		return j
	}
	j.RecordsPerSecond = float64(j.Progress.Records) / secs
	j.BytesPerSecond = float64(j.Progress.BytesRead) / secs
	if j.State == Running && j.BytesPerSecond > 0 {
		left := max(j.Progress.BytesTotal-j.Progress.BytesRead, 0)
		j.ETASeconds = float64(left) / j.BytesPerSecond
	}
	return j
}

// MappingFile is the name of the copy of a job's CSV mapping in its
// folder.
const MappingFile = "mapping.yaml"

// copyMapping copies the mapping file at src into the job folder dir and
// returns the copy's path. JSON mappings are YAML too, so one name fits
// both.
func copyMapping(src, dir string) (string, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("jobs: mapping: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("jobs: mapping: %w", err)
	}
	dst := filepath.Join(dir, MappingFile)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		return "", fmt.Errorf("jobs: mapping: %w", err)
	}
	return dst, nil
}

// clone returns a copy of j that shares no memory with it.
func (j Job) clone() Job {
	j.Inputs = append([]string(nil), j.Inputs...)
	j.Skipped = append([]string(nil), j.Skipped...)
	j.Warnings = append([]string(nil), j.Warnings...)
	if j.StageSeconds != nil {
		m := make(map[string]float64, len(j.StageSeconds))
		for k, v := range j.StageSeconds {
			m[k] = v
		}
		j.StageSeconds = m
	}
	if j.Progress.ByType != nil {
		m := make(map[string]Counts, len(j.Progress.ByType))
		for k, v := range j.Progress.ByType {
			m[k] = v
		}
		j.Progress.ByType = m
	}
	return j
}
