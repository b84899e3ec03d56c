package export

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
)

// state is where a job is in its life.
type state string

// The states of a job. Queued and running jobs are pending; the others
// are finished.
const (
	stateQueued   state = "queued"
	stateRunning  state = "running"
	stateComplete state = "complete"
	stateFailed   state = "failed"
)

// finished reports whether a job in state s will not change any more.
func (s state) finished() bool { return s == stateComplete || s == stateFailed }

// Export levels: which resources a job exports.
const (
	levelSystem  = "system"
	levelPatient = "patient"
	levelGroup   = "group"
)

// outputFile is one file of a job's manifest.
type outputFile struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// record is the persisted part of a job: what job.json holds.
type record struct {
	ID        string `json:"id"`
	Datastore string `json:"datastore"`
	// Request is the kick-off URL, reported in the manifest.
	Request string `json:"request"`
	// Base is the absolute URL of the data store's FHIR endpoint, such as
	// https://host/fhir/ds, from which file URLs are built.
	Base  string `json:"base"`
	Level string `json:"level"`
	Group string `json:"group,omitempty"`
	// Types are the requested types; empty means every type.
	Types []string   `json:"types,omitempty"`
	Since *time.Time `json:"since,omitempty"`
	// Patients restricts patient- and group-level exports (the POST
	// patient parameter); nil means no restriction.
	Patients []string `json:"patients,omitempty"`
	// Deid is the de-identification of the job's files (_deid): "" for
	// the stored resources, or DeidSafeHarbor.
	Deid            string    `json:"deid,omitempty"`
	Warnings        []string  `json:"warnings,omitempty"`
	TransactionTime time.Time `json:"transactionTime"`
	State           state     `json:"state"`
	// Error says why a failed job failed.
	Error    string       `json:"error,omitempty"`
	Finished time.Time    `json:"finished,omitzero"`
	Output   []outputFile `json:"output,omitempty"`
	Errors   []outputFile `json:"errors,omitempty"`
}

// job is one export: its record, guarded by mu, and what is needed to
// cancel it and follow its progress.
type job struct {
	id, ds string // rec.ID and rec.Datastore, which never change
	dir    string // <data store folder>/exports/<id>

	mu  sync.Mutex
	rec record
	// members are the ids of a group-level job's patients, resolved at
	// kick-off; not persisted.
	members map[string]bool

	cancel  context.CancelFunc // nil for jobs loaded from disk
	done    chan struct{}      // closed when the job's goroutine ends
	deleted atomic.Bool        // set by DELETE before cancelling

	typ      atomic.Pointer[string] // type being exported
	typeNo   atomic.Int64           // its 1-based position
	typeN    atomic.Int64           // number of types
	exported atomic.Int64           // resources written so far
}

// snapshot returns a copy of the job's record.
func (j *job) snapshot() record {
	j.mu.Lock()
	defer j.mu.Unlock()
	r := j.rec
	r.Output = append([]outputFile(nil), r.Output...)
	r.Errors = append([]outputFile(nil), r.Errors...)
	return r
}

// update changes the record with fn and persists it. The change is seen
// by readers only once it is on disk (or failed to be written), so a
// reader that sees a finished job finds its job.json written. Only the
// job's own goroutine (or its loader) calls update.
func (j *job) update(fn func(*record)) error {
	r := j.snapshot()
	fn(&r)
	err := writeRecord(j.dir, r)
	j.mu.Lock()
	j.rec = r
	j.mu.Unlock()
	return err
}

// progress describes a pending job for the X-Progress header.
func (j *job) progress() string {
	t := j.typ.Load()
	if t == nil {
		return "queued"
	}
	return fmt.Sprintf("exporting %s (type %d of %d), %d resources written",
		*t, j.typeNo.Load(), j.typeN.Load(), j.exported.Load())
}

// jobFile is the name of a job's persisted record.
const jobFile = "job.json"

// writeRecord writes r to dir/job.json atomically: to a temporary file
// that is synced and then renamed over the old one.
func writeRecord(dir string, r record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("export: job %s: encode record: %w", r.ID, err)
	}
	tmp := filepath.Join(dir, jobFile+".tmp")
	if err := writeSynced(tmp, b); err != nil {
		return fmt.Errorf("export: job %s: %w", r.ID, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, jobFile)); err != nil {
		return fmt.Errorf("export: job %s: %w", r.ID, err)
	}
	return nil
}

// writeSynced creates (or truncates) path with content b and fsyncs it.
func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// readRecord reads dir/job.json.
func readRecord(dir string) (record, error) {
	var r record
	b, err := os.ReadFile(filepath.Join(dir, jobFile))
	if err != nil {
		return r, fmt.Errorf("export: %w", err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("export: %s: %w", filepath.Join(dir, jobFile), err)
	}
	return r, nil
}

// newJob returns a job for record rec kept in folder dir.
func newJob(dir string, rec record) *job {
	return &job{id: rec.ID, ds: rec.Datastore, dir: dir, rec: rec}
}

// newJobID returns a random, URL-safe job id of 22 characters (128 bits).
func newJobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// jobIDPattern matches the ids newJobID makes, so that an id taken from a
// URL or a folder name is safe to use as a path element.
var jobIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)
