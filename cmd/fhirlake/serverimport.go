package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/fhirlake/fhirlake/api"
	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/ingest"
	"github.com/fhirlake/fhirlake/ingest/csvmap"
	"github.com/fhirlake/fhirlake/jobs"
	"github.com/fhirlake/fhirlake/store"
)

// maxListedRejects bounds the rejected records an import response lists;
// all are counted.
const maxListedRejects = 1000

// serverImporter imports files into the data stores of a running server
// (it implements api.Importer and api.ImportJobs): the records go to the
// raw store, then the views are refreshed incrementally and published to
// SQL, serialized with view changes by the viewStore's per-data-store
// lock. Jobs run in the server through a jobs.Manager, opened by start
// (or, failing that, by the first request that needs it).
type serverImporter struct {
	l     *lake
	views *viewStore

	createMu sync.Mutex // serializes the creation of data stores

	jobsOnce sync.Once
	jobs     *jobs.Manager
	jobsErr  error
}

var (
	_ api.Importer         = (*serverImporter)(nil)
	_ api.ImportJobs       = (*serverImporter)(nil)
	_ api.ImportJobSpecs   = (*serverImporter)(nil)
	_ api.ImportJobReports = (*serverImporter)(nil)
)

// start opens the job manager and runs again the jobs an earlier server
// left queued or running (imports are idempotent, so re-running one only
// adds what it had not committed yet).
func (s *serverImporter) start() error {
	_, err := s.manager()
	return err
}

// Close stops the running jobs; they are run again at the next start.
func (s *serverImporter) Close() error {
	s.jobsOnce.Do(func() { s.jobsErr = jobs.ErrClosed }) // never opened: stay closed
	if s.jobs == nil {
		return nil
	}
	return s.jobs.Close()
}

// manager returns the job manager, opening it and resuming the
// interrupted jobs on first use.
func (s *serverImporter) manager() (*jobs.Manager, error) {
	s.jobsOnce.Do(func() {
		s.jobs, s.jobsErr = openJobs(s.l, jobRunner(s.l, 0, s.refresh, nil))
		if s.jobsErr == nil {
			_, s.jobsErr = s.jobs.Resume()
		}
	})
	return s.jobs, s.jobsErr
}

// refresh brings the views of ds up to date after an import and makes
// them visible to SQL.
func (s *serverImporter) refresh(ctx context.Context, ds string, st *store.Store) ([]ingest.ViewReport, error) {
	unlock := s.views.lock(ds)
	defer unlock()
	reports, err := updateViews(ctx, s.l, ds, st)
	if err == nil {
		err = s.views.publish(ctx, ds)
	}
	return reports, err
}

// prepare checks an import request and creates its data store if needed.
// Local paths must exist; URIs (s3://...) are left to the import.
func (s *serverImporter) prepare(ctx context.Context, ds string, inputs []string) (created bool, err error) {
	if !catalog.ValidName(ds) {
		return false, fmt.Errorf("%w: invalid data store name %q: use lowercase letters, digits and _, starting with a letter", api.ErrBadImport, ds)
	}
	for _, p := range inputs {
		if strings.Contains(p, "://") {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return false, fmt.Errorf("%w: %s: %v", api.ErrBadImport, p, errors.Unwrap(err))
		}
	}
	s.createMu.Lock()
	defer s.createMu.Unlock()
	return s.l.ensureDatastore(ctx, ds)
}

// StartImport implements api.ImportJobs: a job with the default options
// (normalisation on, no CSV mapping).
func (s *serverImporter) StartImport(ctx context.Context, ds string, inputs []string) (jobs.Job, error) {
	return s.StartImportRequest(ctx, ds, api.ImportJobRequest{Inputs: inputs})
}

// StartImportRequest implements api.ImportJobSpecs. The inline mapping
// is checked here, then saved with the job (see jobs.Manager.Submit).
func (s *serverImporter) StartImportRequest(ctx context.Context, ds string, req api.ImportJobRequest) (jobs.Job, error) {
	m, err := s.manager()
	if err != nil {
		return jobs.Job{}, err
	}
	spec := jobs.Job{Normalize: req.NormalizeOn()}
	if req.Mapping != "" {
		if _, err := csvmap.Load(strings.NewReader(req.Mapping)); err != nil {
			return jobs.Job{}, fmt.Errorf("%w: mapping: %v", api.ErrBadImport, err)
		}
	}
	created, err := s.prepare(ctx, ds, req.Inputs)
	if err != nil {
		return jobs.Job{}, err
	}
	spec.CreatedDatastore = created
	if req.Mapping == "" {
		return m.Submit(ds, req.Inputs, spec)
	}
	tmp, err := writeTemp(s.l.cat.DatastoreDir(ds), ".mapping-*.yaml", req.Mapping)
	if err != nil {
		return jobs.Job{}, err
	}
	defer os.Remove(tmp)
	spec.Mapping = tmp
	return m.Submit(ds, req.Inputs, spec)
}

// writeTemp writes content to a new temporary file in dir, named after
// pattern (see os.CreateTemp), and returns its path.
func writeTemp(dir, pattern, content string) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	_, werr := f.WriteString(content)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("import: %w", werr)
	}
	return f.Name(), nil
}

// ImportJob implements api.ImportJobs.
func (s *serverImporter) ImportJob(ds, id string) (jobs.Job, error) {
	m, err := s.manager()
	if err != nil {
		return jobs.Job{}, err
	}
	return m.Get(ds, id)
}

// ImportJobs implements api.ImportJobs.
func (s *serverImporter) ImportJobs(ds string) ([]jobs.Job, error) {
	m, err := s.manager()
	if err != nil {
		return nil, err
	}
	return m.List(ds), nil
}

// ImportReport implements api.ImportJobReports: the report read through
// the job manager, which decrypts a sealed one.
func (s *serverImporter) ImportReport(ds, id string) (io.ReadCloser, error) {
	m, err := s.manager()
	if err != nil {
		return nil, err
	}
	return m.Report(ds, id)
}

// CancelImport implements api.ImportJobs.
func (s *serverImporter) CancelImport(ds, id string) (jobs.Job, error) {
	m, err := s.manager()
	if err != nil {
		return jobs.Job{}, err
	}
	return m.Cancel(ds, id)
}

// Import implements api.Importer: the synchronous POST
// /datastores/{ds}/$import, kept for clients of earlier versions.
func (s *serverImporter) Import(ctx context.Context, ds string, paths []string) (api.ImportResult, error) {
	start := time.Now()
	res := api.ImportResult{Datastore: ds, ByType: map[string]api.ImportCounts{}}
	created, err := s.prepare(ctx, ds, paths)
	if err != nil {
		return res, err
	}
	res.Created = created
	st, err := s.l.store(ds)
	if err != nil {
		return res, err
	}
	opts, err := importOptions(jobs.Job{Normalize: true}, 0)
	if err != nil {
		return res, err
	}
	opts.Reject = func(e *ingest.RecordError) {
		if len(res.Rejects) < maxListedRejects {
			res.Rejects = append(res.Rejects, e.Error())
		}
	}
	sum, warnings, _, importErr := importResolved(ctx, st, strings.Join(paths, " "), paths, opts)
	res.Warnings = warnings
	res.Files, res.Bytes, res.Rejected, res.Skipped = sum.Files, sum.Bytes, sum.Rejected, sum.Skipped
	for t, c := range sum.ByType {
		res.ByType[t] = api.ImportCounts{Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged}
	}
	// What was committed reaches the views even if the client went away.
	reports, err := s.refresh(context.WithoutCancel(ctx), ds, st)
	for _, r := range reports {
		res.Views = append(res.Views, api.ImportView{View: r.View, Rows: r.Rows, Skipped: r.Skipped, Errors: r.Errors})
	}
	res.ElapsedMS = float64(time.Since(start).Microseconds()) / 1000
	return res, errors.Join(importErr, err)
}
