package jobs

import (
	"context"
	"errors"
	"sync"
	"time"
)

// enqueue appends a job to its data store's queue and starts the data
// store's worker if none runs.
func (m *Manager) enqueue(ds, id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.queues[ds] = append(m.queues[ds], id)
	if !m.busy[ds] {
		m.busy[ds] = true
		m.wg.Add(1)
		go m.work(ds)
	}
}

// work runs the queued jobs of a data store, one at a time, until the
// queue is empty or the manager closes.
func (m *Manager) work(ds string) {
	defer m.wg.Done()
	for {
		m.mu.Lock()
		if len(m.queues[ds]) == 0 || m.closed {
			m.busy[ds] = false
			m.mu.Unlock()
			return
		}
		id := m.queues[ds][0]
		m.queues[ds] = m.queues[ds][1:]
		m.mu.Unlock()
		m.run(ds, id)
	}
}

// run runs one job if it is still queued (it may have been cancelled
// while it waited).
func (m *Manager) run(ds, id string) {
	ctx, cancel := context.WithCancelCause(m.ctx)
	defer cancel(nil)
	m.mu.Lock()
	e := m.jobs[key{ds, id}]
	if e == nil || e.job.State != Queued || m.closed {
		m.mu.Unlock()
		return
	}
	e.cancel = cancel
	e.job.State, e.job.Started, e.job.Finished = Running, m.opts.Now().UTC(), time.Time{}
	e.job.Runs++
	e.job.Progress, e.job.Error, e.job.Skipped, e.job.Warnings = Progress{}, "", nil, nil
	j := e.job.clone()
	m.mu.Unlock()

	m.log.Info("jobs: import started", "datastore", ds, "job", id, "inputs", j.Inputs, "run", j.Runs)
	err := m.save(ds, id)
	var rejects int
	var k []byte
	if err == nil {
		k, err = m.sealKey(ds)
	}
	if err == nil {
		var rep *report
		if rep, err = createReport(j.ErrorReport, k, reportAAD(id)); err == nil {
			r := &Run{m: m, e: e, rep: rep}
			err = m.opts.Run(ctx, j, r)
			rejects, err = r.finish(err)
		}
	}
	m.finish(ctx, e, rejects, err)
}

// finish records how a job ended, saves it and wakes its waiters.
func (m *Manager) finish(ctx context.Context, e *entry, rejects int, err error) {
	m.mu.Lock()
	j := &e.job
	j.Finished = m.opts.Now().UTC()
	j.Progress.Rejected = max(j.Progress.Rejected, rejects)
	cause := context.Cause(ctx)
	switch {
	case err != nil && errors.Is(cause, errCancelled):
		j.State = Cancelled
	case err != nil && errors.Is(cause, errShutdown):
		j.State = Interrupted
	case err != nil:
		j.State, j.Error = Failed, err.Error()
	case j.Progress.Rejected > 0:
		j.State = CompletedWithErrors
	default:
		j.State = Completed
	}
	e.cancel = nil
	ds, id, state := j.Datastore, j.ID, j.State
	m.mu.Unlock()
	if serr := m.save(ds, id); serr != nil {
		m.log.Error("jobs: save job", "datastore", ds, "job", id, "err", serr)
	}
	m.log.Info("jobs: import ended", "datastore", ds, "job", id, "state", state, "err", err)
	m.mu.Lock()
	e.wake()
	m.mu.Unlock()
}

// Run receives the progress and the rejected records of a running job
// from its Runner. Its methods may be called from several goroutines.
type Run struct {
	m *Manager
	e *entry

	mu       sync.Mutex
	rep      *report
	rejects  int
	repErr   error
	lastSave time.Time
}

// Progress records the job's progress. It is written to job.json at
// most every Options.SaveEvery.
func (r *Run) Progress(p Progress) {
	r.m.mu.Lock()
	r.e.job.Progress = p
	r.m.mu.Unlock()
	r.mu.Lock()
	if err := r.rep.flush(); err != nil && r.repErr == nil {
		r.repErr = err
	}
	due := time.Since(r.lastSave) >= r.m.opts.SaveEvery
	if due {
		r.lastSave = time.Now()
	}
	r.mu.Unlock()
	if due {
		if err := r.m.save(r.e.job.Datastore, r.e.job.ID); err != nil {
			r.m.log.Warn("jobs: save progress", "job", r.e.job.ID, "err", err)
		}
	}
}

// Skip records input files that were not read.
func (r *Run) Skip(files ...string) {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	r.e.job.Skipped = append(r.e.job.Skipped, files...)
}

// Stage adds d to the time the job's stage name was busy (see
// Job.StageSeconds).
func (r *Run) Stage(name string, d time.Duration) {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	if r.e.job.StageSeconds == nil {
		r.e.job.StageSeconds = map[string]float64{}
	}
	r.e.job.StageSeconds[name] += d.Seconds()
}

// Warn records a problem that does not fail the job.
func (r *Run) Warn(msg string) {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	r.e.job.Warnings = append(r.e.job.Warnings, msg)
}

// Reject adds a rejected record to the job's error report.
func (r *Run) Reject(rej Reject) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejects++
	if err := r.rep.add(rej); err != nil && r.repErr == nil {
		r.repErr = err
	}
}

// finish closes the report and returns the rejects counted and the
// job's error: the Runner's, else the report's.
func (r *Run) finish(runErr error) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.rep.close()
	if r.repErr != nil {
		err = r.repErr
	}
	if runErr != nil {
		return r.rejects, runErr
	}
	return r.rejects, err
}
