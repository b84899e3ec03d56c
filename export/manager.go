package export

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Manager runs export jobs and serves the $export endpoints. It is safe for
// concurrent use. Close it to cancel running jobs.
type Manager struct {
	dir  func(ds string) string
	opts Options
	log  *slog.Logger

	ctx    context.Context // cancelled by Close; parent of every job's context
	cancel context.CancelFunc
	wg     sync.WaitGroup // job goroutines and the janitor
	slots  chan struct{}  // one token per running job

	loadMu sync.Mutex // serializes ensureLoaded

	mu     sync.Mutex
	jobs   map[string]*job // by id
	loaded map[string]bool // data stores whose exports folder was read
	closed bool
}

// errClosed refuses a kick-off after Close.
var errClosed = errors.New("export: manager closed")

// errTooMany means MaxPending jobs are already queued or running.
var errTooMany = errors.New("export: too many export jobs pending")

// NewManager returns a Manager that keeps the jobs of data store ds under
// dir(ds)/exports/<job>/. Finished jobs of a data store are loaded from
// there on its first request, so their manifests and files survive a
// restart.
func NewManager(dir func(ds string) string, opts Options) *Manager {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	m := &Manager{
		dir: dir, opts: opts, log: opts.Logger,
		ctx: ctx, cancel: cancel,
		slots:  make(chan struct{}, opts.MaxRunning),
		jobs:   map[string]*job{},
		loaded: map[string]bool{},
	}
	m.wg.Add(1)
	go m.janitor()
	return m
}

// Close cancels running and queued jobs, marks them failed, and waits for
// them to stop. Finished jobs keep their files.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.cancel()
	m.wg.Wait()
	return nil
}

// exportsDir returns the folder holding the jobs of data store ds.
func (m *Manager) exportsDir(ds string) string {
	return filepath.Join(m.dir(ds), "exports")
}

// lookupJob returns job id of data store ds, loading the data store's
// finished jobs first if needed, or nil. An expired job is removed and not
// returned.
func (m *Manager) lookupJob(ds, id string) *job {
	m.ensureLoaded(ds)
	m.sweep()
	m.mu.Lock()
	defer m.mu.Unlock()
	j := m.jobs[id]
	if j == nil || j.ds != ds {
		return nil
	}
	return j
}

// add registers a new job, refusing it if the manager is closed or
// MaxPending jobs are pending. It counts the job's goroutine in m.wg under
// m.mu, so that Close, which sets closed under m.mu, waits for it.
func (m *Manager) add(j *job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	pending := 0
	for _, o := range m.jobs {
		if o.done != nil && !isClosed(o.done) {
			pending++
		}
	}
	if pending >= m.opts.MaxPending {
		return errTooMany
	}
	m.jobs[j.id] = j
	m.wg.Add(1)
	return nil
}

// remove forgets job id and deletes its folder.
func (m *Manager) remove(j *job) error {
	m.mu.Lock()
	delete(m.jobs, j.id)
	m.mu.Unlock()
	if err := os.RemoveAll(j.dir); err != nil {
		return fmt.Errorf("export: job %s: remove files: %w", j.id, err)
	}
	return nil
}

// isClosed reports whether ch is closed.
func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// janitor deletes expired jobs periodically until the manager closes.
func (m *Manager) janitor() {
	defer m.wg.Done()
	every := min(m.opts.Retention/2, 10*time.Minute)
	every = max(every, time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-t.C:
			m.sweep()
		}
	}
}

// sweep deletes every finished job whose retention has passed.
func (m *Manager) sweep() {
	now := m.opts.Now()
	var expired []*job
	m.mu.Lock()
	for _, j := range m.jobs {
		j.mu.Lock()
		if j.rec.State.finished() && now.Sub(j.rec.Finished) > m.opts.Retention {
			expired = append(expired, j)
		}
		j.mu.Unlock()
	}
	m.mu.Unlock()
	for _, j := range expired {
		if err := m.remove(j); err != nil {
			m.log.Warn("export: expire job", slog.String("job", j.id), slog.Any("error", err))
			continue
		}
		m.log.Info("export: job expired", slog.String("job", j.id))
	}
}
