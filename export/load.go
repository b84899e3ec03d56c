package export

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// interrupted is the failure reported for a job that was pending when the
// process stopped.
const interrupted = "the export was interrupted because the server stopped; start a new export"

// ensureLoaded reads the jobs of data store ds from disk, once. Callers
// wait for a load in progress, so that no job is created while its data
// store's folder is being read.
func (m *Manager) ensureLoaded(ds string) {
	m.loadMu.Lock()
	defer m.loadMu.Unlock()
	m.mu.Lock()
	done := m.loaded[ds]
	m.loaded[ds] = true
	m.mu.Unlock()
	if done {
		return
	}

	root := m.exportsDir(ds)
	entries, err := os.ReadDir(root)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			m.log.Warn("export: load jobs", slog.String("datastore", ds), slog.Any("error", err))
		}
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !jobIDPattern.MatchString(e.Name()) {
			continue
		}
		if j := m.loadJob(ds, filepath.Join(root, e.Name())); j != nil {
			m.mu.Lock()
			if _, ok := m.jobs[j.id]; !ok {
				m.jobs[j.id] = j
			}
			m.mu.Unlock()
		}
	}
}

// loadJob reads one job folder. A job that was pending when the process
// stopped is turned into a failed one without its partial files; a folder
// without a readable record is deleted.
func (m *Manager) loadJob(ds, dir string) *job {
	rec, err := readRecord(dir)
	if err != nil || rec.ID != filepath.Base(dir) || rec.Datastore != ds {
		m.log.Warn("export: removing unreadable job folder", slog.String("dir", dir), slog.Any("error", err))
		_ = os.RemoveAll(dir)
		return nil
	}
	j := newJob(dir, rec)
	if rec.State.finished() {
		return j
	}
	removeOutputs(dir)
	err = j.update(func(r *record) {
		r.State, r.Error, r.Finished = stateFailed, interrupted, m.opts.Now().UTC()
		r.Output, r.Errors = nil, nil
	})
	if err != nil {
		m.log.Warn("export: mark interrupted job failed", slog.String("job", rec.ID), slog.Any("error", err))
	}
	return j
}

// removeOutputs deletes every file of a job folder but its record.
func removeOutputs(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Name() != jobFile {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
