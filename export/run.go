package export

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/fhirlake/fhirlake/deid"
	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/store"
)

// errorsType is the type, and file name prefix, of the error files.
const errorsType = "OperationOutcome"

// start registers j and runs it in a goroutine once a slot is free.
func (m *Manager) start(src Source, j *job) error {
	ctx, cancel := context.WithCancel(m.ctx)
	j.cancel, j.done = cancel, make(chan struct{})
	if err := m.add(j); err != nil {
		cancel()
		return err
	}
	go func() {
		defer m.wg.Done()
		defer close(j.done)
		defer cancel()
		m.execute(ctx, src, j)
	}()
	return nil
}

// execute waits for a slot, runs the export and records how it ended.
func (m *Manager) execute(ctx context.Context, src Source, j *job) {
	select {
	case m.slots <- struct{}{}:
		defer func() { <-m.slots }()
	case <-ctx.Done():
		m.finish(j, fmt.Errorf("export: job %s: %w", j.id, ctx.Err()))
		return
	}
	err := j.update(func(r *record) {
		r.State, r.TransactionTime = stateRunning, m.opts.Now().UTC().Truncate(time.Millisecond)
	})
	if err == nil {
		m.log.Info("export: job started", slog.String("job", j.id), slog.String("datastore", j.ds))
		err = m.export(ctx, src, j)
	}
	m.finish(j, err)
}

// finish records the end of a job unless it was deleted, whose folder
// the DELETE handler removes.
func (m *Manager) finish(j *job, err error) {
	if j.deleted.Load() {
		return
	}
	now := m.opts.Now().UTC()
	if err == nil {
		err = j.update(func(r *record) { r.State, r.Finished = stateComplete, now })
		if err == nil {
			m.log.Info("export: job complete", slog.String("job", j.id), slog.Int64("resources", j.exported.Load()))
			return
		}
	}
	msg := "the export failed; see the server log (job " + j.id + ")"
	if m.ctx.Err() != nil && errors.Is(err, context.Canceled) {
		msg = "the export was cancelled because the server shut down; start a new export"
	}
	m.log.Warn("export: job failed", slog.String("job", j.id), slog.Any("error", err))
	removeOutputs(j.dir)
	uerr := j.update(func(r *record) {
		r.State, r.Error, r.Finished = stateFailed, msg, now
		r.Output, r.Errors = nil, nil
	})
	if uerr != nil {
		m.log.Warn("export: record failed job", slog.String("job", j.id), slog.Any("error", uerr))
	}
}

// export writes the files of job j.
func (m *Manager) export(ctx context.Context, src Source, j *job) error {
	rec := j.snapshot()
	types, err := m.exportTypes(ctx, src, rec)
	if err != nil {
		return err
	}
	f := newFilter(rec, j.members)
	if rec.Deid != "" {
		if f.deid, err = m.deidentifier(rec.Datastore, rec.TransactionTime); err != nil {
			return err
		}
	}
	errs := &partWriter{dir: j.dir, typ: errorsType, limit: m.opts.PartSize, done: j.addError}
	defer errs.abort()
	for _, w := range rec.Warnings {
		if err := errs.write(fhir.NewOutcome("warning", "not-supported", w).JSON()); err != nil {
			return fmt.Errorf("export: job %s: %w", rec.ID, err)
		}
	}
	j.typeN.Store(int64(len(types)))
	for i, typ := range types {
		j.typ.Store(&typ)
		j.typeNo.Store(int64(i + 1))
		if err := m.exportType(ctx, src, j, typ, f, errs); err != nil {
			return fmt.Errorf("export: job %s: %s: %w", rec.ID, typ, err)
		}
	}
	if err := errs.close(); err != nil {
		return fmt.Errorf("export: job %s: %w", rec.ID, err)
	}
	return nil
}

// exportType streams the resources of one type that pass f to its files;
// a resource that cannot be checked is reported in the error file.
func (m *Manager) exportType(ctx context.Context, src Source, j *job, typ string, f filter, errs *partWriter) error {
	out := &partWriter{dir: j.dir, typ: typ, limit: m.opts.PartSize, done: j.addOutput}
	err := src.Scan(ctx, typ, func(r store.Resource) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		keep, err := f.keep(r)
		if err != nil {
			return errs.write(fhir.NewOutcome("error", "processing", f.reason(r, err)).JSON())
		}
		if !keep {
			return nil
		}
		body := r.Body
		if f.deid != nil {
			if body, err = f.deid.Resource(ctx, r.Body); err != nil {
				return errs.write(fhir.NewOutcome("error", "processing", f.reason(r, err)).JSON())
			}
		}
		if err := out.write(body); err != nil {
			return err
		}
		j.exported.Add(1)
		return nil
	})
	if err != nil {
		out.abort()
		return err
	}
	return out.close()
}

// exportTypes returns the types a job exports: the requested ones, or
// every type of the source (in the patient compartment, for patient- and
// group-level exports).
func (m *Manager) exportTypes(ctx context.Context, src Source, rec record) ([]string, error) {
	if rec.Types != nil { // requested, possibly none left after validation
		return rec.Types, nil
	}
	all, err := src.Types(ctx)
	if err != nil {
		return nil, fmt.Errorf("export: job %s: %w", rec.ID, err)
	}
	if rec.Level == levelSystem {
		return all, nil
	}
	return slices.DeleteFunc(all, func(t string) bool { return !inCompartmentTypes(t) }), nil
}

// inCompartmentTypes reports whether resources of type t can be in a
// patient compartment.
func inCompartmentTypes(t string) bool {
	_, ok := compartmentPaths[t]
	return ok || t == "Patient"
}

// filter decides which resources a job exports.
type filter struct {
	since    *time.Time
	until    time.Time // the transaction time
	system   bool
	patients map[string]bool // nil: every patient
	// deid de-identifies the resources written (a _deid job); nil
	// writes them as stored.
	deid *deid.Deidentifier
}

// reason is the error file's text for resource r that failed with err:
// err's text, or, in a de-identified job, only the resource type (the
// error may quote the resource's id or values).
func (f filter) reason(r store.Resource, err error) string {
	if f.deid != nil {
		return "a " + r.Type + " resource could not be exported"
	}
	return err.Error()
}

// newFilter returns the filter of a job; members are a group's patients.
func newFilter(rec record, members map[string]bool) filter {
	f := filter{since: rec.Since, until: rec.TransactionTime, system: rec.Level == levelSystem}
	if rec.Level == levelGroup {
		f.patients = members
		if f.patients == nil {
			f.patients = map[string]bool{}
		}
	}
	if rec.Patients != nil {
		only := make(map[string]bool, len(rec.Patients))
		for _, id := range rec.Patients {
			if f.patients == nil || f.patients[id] {
				only[id] = true
			}
		}
		f.patients = only
	}
	return f
}

// keep reports whether resource r is exported.
func (f filter) keep(r store.Resource) (bool, error) {
	if r.LastUpdated.After(f.until) {
		return false, nil // changed after the transaction time: next export's
	}
	if f.since != nil && !r.LastUpdated.After(*f.since) {
		return false, nil
	}
	if f.system {
		return true, nil
	}
	return inPatientCompartment(r.Type, r.ID, r.Body, f.patients)
}

// addOutput records a completed output file.
func (j *job) addOutput(f outputFile) {
	j.mu.Lock()
	j.rec.Output = append(j.rec.Output, f)
	j.mu.Unlock()
}

// addError records a completed error file.
func (j *job) addError(f outputFile) {
	j.mu.Lock()
	j.rec.Errors = append(j.rec.Errors, f)
	j.mu.Unlock()
}
