package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/ingest"
	"github.com/fhirlake/fhirlake/ingest/csvmap"
	"github.com/fhirlake/fhirlake/ingest/linkage"
	"github.com/fhirlake/fhirlake/ingest/normalize"
	"github.com/fhirlake/fhirlake/ingest/resolve"
	"github.com/fhirlake/fhirlake/jobs"
	"github.com/fhirlake/fhirlake/store"
)

// refreshFunc brings the views of a data store up to date after an
// import.
type refreshFunc func(ctx context.Context, ds string, st *store.Store) ([]ingest.ViewReport, error)

// openJobs opens the import jobs of every data store of l.
func openJobs(l *lake, run jobs.Runner) (*jobs.Manager, error) {
	return jobs.Open(jobs.Options{Dir: l.cat.DatastoreDir, Datastores: l.datastoreNames, Run: run, SealKey: l.keys.jobsKey})
}

// importResolved imports paths into st through the reference resolver
// (package resolve: conditional and identifier-only references become
// Type/id, directory resources sharing a business identifier are merged),
// then retries the references that were read before their targets. It
// returns the warnings to report (references left as they were, merges)
// and the time the retries took. source names the import in the merge
// records.
func importResolved(ctx context.Context, st *store.Store, source string, paths []string, opts ingest.Options) (ingest.Summary, []string, time.Duration, error) {
	sink := resolve.New(st, resolve.Options{Source: source})
	sum, err := ingest.Import(ctx, sink, paths, opts)
	if err != nil {
		// What was committed stays; the retries are lost, not the data.
		return sum, nil, 0, err
	}
	start := time.Now()
	rep, err := sink.Finish(ctx)
	if err != nil {
		return sum, nil, time.Since(start), fmt.Errorf("import: resolve references: %w", err)
	}
	return sum, resolveWarnings(rep), time.Since(start), nil
}

// linkImported runs patient record linkage (fhirlake link, with the
// default thresholds) over the data store after an import that wrote
// Patients, and says what it found; "" when nothing.
func linkImported(ctx context.Context, st *store.Store) (string, error) {
	rep, err := linkPatients(ctx, st, linkage.DefaultConfig())
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	if len(rep.Links) == 0 && len(rep.Possibles) == 0 {
		return "", nil
	}
	return fmt.Sprintf("patients: %d pairs of likely duplicates linked with Patient.link (%d patients updated), %d possible pairs below the link threshold; see the patient_link view and fhirlake link --dry-run",
		len(rep.Links), len(rep.Updated), len(rep.Possibles)), nil
}

// recordStages adds an import's stage times to its job.
func recordStages(run *jobs.Run, st ingest.Stages, resolve, views time.Duration) {
	run.Stage("read", st.Read)
	run.Stage("normalize", st.Normalize)
	run.Stage("write", st.Write)
	run.Stage("resolve", resolve)
	run.Stage("views", views)
}

// resolveWarnings describes what the resolver could not do, and what it
// merged.
func resolveWarnings(rep resolve.Report) []string {
	var out []string
	for _, w := range rep.Warnings {
		out = append(out, "reference: "+w.String())
	}
	if n := rep.Unresolved + rep.Ambiguous; n > len(rep.Warnings) {
		out = append(out, fmt.Sprintf("references: %d left unresolved, %d ambiguous (the first %d are listed)", rep.Unresolved, rep.Ambiguous, len(rep.Warnings)))
	}
	for _, m := range rep.Merges {
		out = append(out, "merged: "+m.String())
	}
	if rep.MergeCount > len(rep.Merges) {
		out = append(out, fmt.Sprintf("merged: %d resources in all (the first %d are listed)", rep.MergeCount, len(rep.Merges)))
	}
	return out
}

// importOptions returns the ingest options that job j asks for: its CSV
// mapping (loaded from the job's copy) and normalisation, with batch
// resources per store transaction (0: the default). Every import builds
// its options here; the caller adds Reject and Progress.
func importOptions(j jobs.Job, batch int) (ingest.Options, error) {
	opts := ingest.Options{BatchSize: batch}
	if j.Mapping != "" {
		m, err := csvmap.LoadFile(j.Mapping)
		if err != nil {
			return opts, fmt.Errorf("import: CSV mapping: %w", err)
		}
		opts.CSV = m
	}
	if j.Normalize {
		opts.Normalize = normalize.New(normalize.Options{})
	}
	return opts, nil
}

// jobRunner returns the Runner of import jobs into the data stores of l:
// the records go to the raw store in batches of batch resources (0: the
// default), each rejected one to the job's error report (and to
// onReject, if set), then refresh brings the views up to date, even when
// the job was cancelled, so that what was committed reaches them.
func jobRunner(l *lake, batch int, refresh refreshFunc, onReject func(*ingest.RecordError)) jobs.Runner {
	return func(ctx context.Context, j jobs.Job, run *jobs.Run) error {
		opts, err := importOptions(j, batch)
		if err != nil {
			return err
		}
		st, err := l.store(j.Datastore)
		if err != nil {
			return err
		}
		var fr jobs.Fragments
		defer fr.Close()
		opts.Reject = func(e *ingest.RecordError) {
			run.Reject(jobs.Reject{Source: e.File, Line: e.Line, Reason: e.Reason, Fragment: fr.Fragment(e.File, e.Line)})
			if onReject != nil {
				onReject(e)
			}
		}
		opts.Progress = func(p ingest.Progress) { run.Progress(jobProgress(p)) }
		sum, warnings, resolving, importErr := importResolved(ctx, st, j.ID, j.Inputs, opts)
		for _, w := range warnings {
			run.Warn(w)
		}
		if importErr == nil && sum.ByType["Patient"] != nil && sum.ByType["Patient"].Created+sum.ByType["Patient"].Updated > 0 {
			start := time.Now()
			msg, err := linkImported(ctx, st)
			run.Stage("link", time.Since(start))
			if err != nil {
				return err
			}
			if msg != "" {
				run.Warn(msg)
			}
		}
		viewStart := time.Now()
		defer func() { recordStages(run, sum.Stages, resolving, time.Since(viewStart)) }()
		if len(sum.Skipped) > 0 {
			run.Skip(sum.Skipped...)
		}
		reports, err := refresh(context.WithoutCancel(ctx), j.Datastore, st)
		for _, r := range reports {
			if r.Skipped > 0 {
				run.Warn(viewWarning(r))
			}
		}
		if importErr != nil {
			return importErr
		}
		return err
	}
}

// jobProgress converts ingest's progress to a job's.
func jobProgress(p ingest.Progress) jobs.Progress {
	out := jobs.Progress{Files: p.Files, FilesTotal: p.FilesTotal, BytesRead: p.BytesRead, BytesTotal: p.BytesTotal,
		Records: p.Records, Rejected: p.Rejected, Normalized: p.Normalized, ByType: make(map[string]jobs.Counts, len(p.ByType))}
	for t, c := range p.ByType {
		out.ByType[t] = jobs.Counts{Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged}
	}
	return out
}

// viewWarning tells of the resources a view could not flatten.
func viewWarning(r ingest.ViewReport) string {
	return fmt.Sprintf("view %s: %d resources could not be flattened and are left out of the table (they stay in the raw store), e.g.:\n  %s",
		r.View, r.Skipped, strings.Join(r.Errors, "\n  "))
}

// jobSummary turns a job's progress into the summary an import prints.
func jobSummary(j jobs.Job) ingest.Summary {
	sum := ingest.Summary{Files: j.Progress.Files, Skipped: j.Skipped, Bytes: j.Progress.BytesRead, Rejected: j.Progress.Rejected,
		Normalized: j.Progress.Normalized, ByType: map[string]*ingest.TypeCounts{}}
	if !j.Finished.IsZero() {
		sum.Elapsed = j.Finished.Sub(j.Started)
	}
	for t, c := range j.Progress.ByType {
		sum.ByType[t] = &ingest.TypeCounts{Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged}
	}
	return sum
}
