package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"time"
)

// ErrFinished is returned when cancelling a job that has already ended.
var ErrFinished = errors.New("jobs: the job has already ended")

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("jobs: the manager is closed")

// Causes of a job context's cancellation.
var (
	errCancelled = errors.New("jobs: cancelled")
	errShutdown  = errors.New("jobs: the server is stopping")
)

// Runner does the work of a job: it loads j.Inputs into j.Datastore and
// tells run of its progress and of every rejected record. It returns when
// the work is done, or when ctx is cancelled (with an error wrapping
// ctx's); what it committed must stay consistent, since the job may be
// run again from the start. An error makes the job failed; rejected
// records do not.
type Runner func(ctx context.Context, j Job, run *Run) error

// Options configure a Manager.
type Options struct {
	// Dir returns the folder of a data store; its jobs live in its
	// imports/ subfolder. Required.
	Dir func(datastore string) string
	// Datastores lists the data stores whose jobs Open loads. Required.
	Datastores func() ([]string, error)
	// Run does the work of each job. Required.
	Run Runner
	// Logger receives a record per job that starts and ends. Defaults
	// to discarding.
	Logger *slog.Logger
	// Now returns the current time. Defaults to time.Now.
	Now func() time.Time
	// SaveEvery bounds how often a running job's progress is written to
	// its job.json (default 1s); state changes are written at once.
	SaveEvery time.Duration
	// SealKey, when set, returns the key (32 bytes: the data store's data
	// key, keyring.PurposeImport) that encrypts the job files of a data
	// store at rest: job.json is sealed as one value and the error
	// report, which quotes rejected records, as a sealed stream (see the
	// package documentation). It is called once per data store and
	// Manager. A nil SealKey, or a nil key, writes plaintext files; job
	// files written in plaintext stay readable either way.
	SealKey func(datastore string) ([]byte, error)
}

// Manager queues, runs, persists and cancels the import jobs of a set of
// data stores. The jobs of one data store run one at a time, in the
// order they were submitted; jobs of different data stores run
// concurrently. It is safe for concurrent use.
type Manager struct {
	opts Options
	log  *slog.Logger
	ctx  context.Context
	stop context.CancelCauseFunc
	wg   sync.WaitGroup

	mu     sync.Mutex
	keys   map[string][]byte // by data store: Options.SealKey's answer
	jobs   map[key]*entry
	queues map[string][]string // by data store: ids waiting to run
	busy   map[string]bool     // by data store: a worker is running
	closed bool
}

type key struct{ ds, id string }

// entry is the live state of one job.
type entry struct {
	job    Job
	cancel context.CancelCauseFunc // set while the job runs
	done   chan struct{}           // closed by wake when the job stops running or waiting
	woken  bool                    // done is closed
	saveMu sync.Mutex              // orders the writes of job.json
}

// newEntry returns the live state of j, whose waiters wait.
func newEntry(j Job) *entry { return &entry{job: j, done: make(chan struct{})} }

// wake releases the job's waiters, once. Call it with Manager.mu held.
func (e *entry) wake() {
	if !e.woken {
		e.woken = true
		close(e.done)
	}
}

// sleep makes the job's waiters wait again (it is queued again). Call it
// with Manager.mu held.
func (e *entry) sleep() {
	if e.woken {
		e.woken = false
		e.done = make(chan struct{})
	}
}

// Open loads the jobs of every data store. Jobs found queued or running
// were stopped by the end of an earlier process: they become Interrupted
// (and are saved so), to be run again by Resume. Open starts nothing.
func Open(opts Options) (*Manager, error) {
	if opts.Dir == nil || opts.Datastores == nil || opts.Run == nil {
		return nil, errors.New("jobs: Options.Dir, Datastores and Run are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SaveEvery <= 0 {
		opts.SaveEvery = time.Second
	}
	m := &Manager{opts: opts, log: opts.Logger, keys: map[string][]byte{}, jobs: map[key]*entry{}, queues: map[string][]string{}, busy: map[string]bool{}}
	m.ctx, m.stop = context.WithCancelCause(context.Background())
	names, err := opts.Datastores()
	if err != nil {
		return nil, fmt.Errorf("jobs: list data stores: %w", err)
	}
	for _, ds := range names {
		k, err := m.sealKey(ds)
		if err != nil {
			return nil, err
		}
		found, err := Folder{Dir: opts.Dir(ds), SealKey: k}.List()
		if err != nil { // a damaged job.json must not stop the others
			m.log.Warn("jobs: skipping unreadable jobs", "datastore", ds, "err", err)
		}
		for _, j := range found {
			e := newEntry(j)
			if j.State == Queued || j.State == Running {
				e.job.State = Interrupted
				if err := save(m.jobDir(ds, j.ID), e.job, k); err != nil {
					return nil, err
				}
			}
			e.wake()
			m.jobs[key{ds, j.ID}] = e
		}
	}
	return m, nil
}

// sealKey returns the key of data store ds's job files (nil: plaintext),
// asking Options.SealKey once per data store.
func (m *Manager) sealKey(ds string) ([]byte, error) {
	if m.opts.SealKey == nil {
		return nil, nil
	}
	m.mu.Lock()
	k, ok := m.keys[ds]
	m.mu.Unlock()
	if ok {
		return k, nil
	}
	k, err := m.opts.SealKey(ds)
	if err != nil {
		return nil, fmt.Errorf("jobs: key of data store %q: %w", ds, err)
	}
	m.mu.Lock()
	m.keys[ds] = k
	m.mu.Unlock()
	return k, nil
}

// jobDir is the folder of one job.
func (m *Manager) jobDir(ds, id string) string {
	return filepath.Join(importsDir(m.opts.Dir(ds)), id)
}

// Submit queues a new job to load inputs into data store ds and returns
// it. t.CreatedDatastore and t.Normalize are kept; t.Mapping, when set,
// is the path of a CSV mapping file, copied into the job's folder (the
// job's Mapping is the copy); the other fields of t are ignored.
func (m *Manager) Submit(ds string, inputs []string, t Job) (Job, error) {
	now := m.opts.Now().UTC()
	j := Job{ID: newID(now), Datastore: ds, Inputs: append([]string(nil), inputs...), CreatedDatastore: t.CreatedDatastore,
		Normalize: t.Normalize, State: Queued, Created: now}
	j.ErrorReport = filepath.Join(m.jobDir(ds, j.ID), reportFile)
	if t.Mapping != "" {
		var err error
		if j.Mapping, err = copyMapping(t.Mapping, m.jobDir(ds, j.ID)); err != nil {
			return Job{}, err
		}
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return Job{}, ErrClosed
	}
	m.jobs[key{ds, j.ID}] = newEntry(j)
	m.mu.Unlock()
	if err := m.save(ds, j.ID); err != nil {
		m.mu.Lock()
		delete(m.jobs, key{ds, j.ID})
		m.mu.Unlock()
		return Job{}, err
	}
	m.enqueue(ds, j.ID)
	return j.clone(), nil
}

// Resume queues again the Interrupted jobs, oldest first, and returns
// how many. Call it once after Open in the process that owns the data
// folder. Running a job again is safe: imports are idempotent.
func (m *Manager) Resume() (int, error) {
	m.mu.Lock()
	var again []Job
	for _, e := range m.jobs {
		if e.job.State == Interrupted {
			e.job.State = Queued
			e.sleep()
			again = append(again, e.job)
		}
	}
	m.mu.Unlock()
	sortJobs(again)
	var errs []error
	for _, j := range again {
		m.log.Info("jobs: resuming interrupted import", "datastore", j.Datastore, "job", j.ID)
		errs = append(errs, m.save(j.Datastore, j.ID))
		m.enqueue(j.Datastore, j.ID)
	}
	return len(again), errors.Join(errs...)
}

// Get returns a job, with its rates computed (see Job.Rates). It returns
// an error wrapping ErrNotFound if there is no such job.
func (m *Manager) Get(ds, id string) (Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.jobs[key{ds, id}]
	if !ok {
		return Job{}, fmt.Errorf("jobs: data store %q job %q: %w", ds, id, ErrNotFound)
	}
	return e.job.clone().Rates(m.opts.Now()), nil
}

// List returns the jobs of a data store, oldest first.
func (m *Manager) List(ds string) []Job {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.opts.Now()
	out := []Job{}
	for k, e := range m.jobs {
		if k.ds == ds {
			out = append(out, e.job.clone().Rates(now))
		}
	}
	sortJobs(out)
	return out
}

// Wait blocks until the job stops running or waiting (it ended, or the
// manager closed), or ctx is done, and returns the job as it is then.
func (m *Manager) Wait(ctx context.Context, ds, id string) (Job, error) {
	m.mu.Lock()
	e, ok := m.jobs[key{ds, id}]
	var done chan struct{}
	if ok {
		done = e.done
	}
	m.mu.Unlock()
	if !ok {
		return Job{}, fmt.Errorf("jobs: data store %q job %q: %w", ds, id, ErrNotFound)
	}
	select {
	case <-done:
	case <-ctx.Done():
		j, _ := m.Get(ds, id)
		return j, fmt.Errorf("jobs: wait for job %s: %w", id, ctx.Err())
	}
	return m.Get(ds, id)
}

// Cancel stops a job. A queued or interrupted job becomes Cancelled at
// once; a running one is cancelled through its context and becomes
// Cancelled when its Runner returns (use Wait), every batch it committed
// staying committed. Cancelling an ended job returns ErrFinished.
func (m *Manager) Cancel(ds, id string) (Job, error) {
	m.mu.Lock()
	e, ok := m.jobs[key{ds, id}]
	if !ok {
		m.mu.Unlock()
		return Job{}, fmt.Errorf("jobs: data store %q job %q: %w", ds, id, ErrNotFound)
	}
	switch {
	case e.job.State.Final():
		j := e.job.clone()
		m.mu.Unlock()
		return j, fmt.Errorf("jobs: cancel job %s (%s): %w", id, j.State, ErrFinished)
	case e.job.State == Running:
		e.cancel(errCancelled)
		j := e.job.clone()
		m.mu.Unlock()
		return j, nil
	}
	e.wake()
	e.job.State = Cancelled
	e.job.Finished = m.opts.Now().UTC()
	m.mu.Unlock()
	if err := m.save(ds, id); err != nil {
		return Job{}, err
	}
	return m.Get(ds, id)
}

// Close stops the manager: queued jobs stay queued on disk and the
// running ones are cancelled and saved as Interrupted, so that the next
// Open and Resume run them again. It waits for the runners to return.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	for _, e := range m.jobs {
		if e.job.State == Queued { // stays queued on disk; wake its waiters
			e.wake()
		}
	}
	m.mu.Unlock()
	m.stop(errShutdown)
	m.wg.Wait()
	return nil
}

// save writes the current record of a job to its job.json.
func (m *Manager) save(ds, id string) error {
	m.mu.Lock()
	e, ok := m.jobs[key{ds, id}]
	m.mu.Unlock()
	if !ok {
		return nil
	}
	k, err := m.sealKey(ds)
	if err != nil {
		return err
	}
	e.saveMu.Lock()
	defer e.saveMu.Unlock()
	m.mu.Lock()
	j := e.job.clone()
	m.mu.Unlock()
	return save(m.jobDir(ds, id), j, k)
}

// Report opens the error report of a job for reading, decrypted (see
// [Folder.Report]). It returns an error wrapping ErrNotFound if there is
// no such job, fs.ErrNotExist if its report does not exist yet.
func (m *Manager) Report(ds, id string) (io.ReadCloser, error) {
	j, err := m.Get(ds, id)
	if err != nil {
		return nil, err
	}
	k, err := m.sealKey(ds)
	if err != nil {
		return nil, err
	}
	return Folder{Dir: m.opts.Dir(ds), SealKey: k}.Report(j)
}
