package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fhirlake/fhirlake/api"
	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/ingest"
	"github.com/fhirlake/fhirlake/ingest/csvmap"
	"github.com/fhirlake/fhirlake/jobs"
	"github.com/fhirlake/fhirlake/store"
)

// Exit statuses of `fhirlake import` beyond 0 (completed), 1 (failed or
// cancelled) and 2 (usage).
const exitRejected = 3 // completed with errors: some records were rejected

const importUsage = `Usage: fhirlake import [--data DIR] [--datastore NAME] [--mapping FILE] [--no-normalize] PATH...
       fhirlake import list   [--data DIR] [--datastore NAME]
       fhirlake import status [--data DIR] [--datastore NAME] ID
       fhirlake import cancel [--data DIR] [--datastore NAME] ID

PATH is an NDJSON file (.ndjson, .ndjson.gz, .ndjson.zst), a FHIR Bundle
JSON file, a folder of them, a glob ('data/*.ndjson.gz'), or an
s3://bucket/prefix URI (endpoint, region and credentials from the standard
AWS environment variables and config; AWS_ENDPOINT_URL for S3-compatible
stores). CSV extracts (.csv, .csv.gz, .csv.zst) are converted to FHIR
resources by the mapping given with --mapping (YAML or JSON, see
ingest/csvmap/README.md); each bad row is a rejected record naming its
line and column, and a .csv input without --mapping is rejected. Records
are normalised (dates, code systems, UCUM units, code case, telecom; each
changed resource gets a meta.tag) unless --no-normalize.

Each import is a job: when a server holds the data folder, the job runs
in the server (it survives the command, and a server restart) and the
command follows it; otherwise it runs here. Either way its record, a
copy of its mapping and its error report (one OperationOutcome per
rejected record, naming file:line) are kept under
DIR/stores/NAME/imports/ID/. In a terminal a progress bar shows the bytes
read, resources/s, rejected records and ETA; otherwise a line is printed
every few seconds.

list, status and cancel show and stop the jobs of a data store (through
the server when one runs).

Exit status: 0 when the job completed; 3 when it completed with errors
(the good records loaded, some were rejected: see the error report);
1 when it failed or was cancelled; 2 for a usage error.
`

// runImport implements `fhirlake import [--data DIR] [--datastore NAME] PATH...`
// and, through runImportJobs, `fhirlake import list|status|cancel`.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "list", "status", "cancel":
			return runImportJobs(ctx, args[0], args[1:], stdout, stderr)
		}
	}
	fs := newFlagSet("import", stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	keyFile := keyFileFlag(fs)
	dsName := fs.String("datastore", "demo", "data store to load into (created if missing)")
	batch := fs.Int("batch", 5000, "resources per store transaction (when the import runs here)")
	mapping := fs.String("mapping", "", "CSV mapping `FILE` (YAML or JSON) that converts the .csv inputs")
	noNormalize := fs.Bool("no-normalize", false, "store the records as read, without normalising them")
	fs.Usage = func() {
		fmt.Fprint(stderr, importUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usagef("import: no PATH given")
	}
	spec, err := importSpec(*mapping, !*noNormalize)
	if err != nil {
		return err
	}
	l, err := openLakeWith(*data, "import", *keyFile, stderr)
	var locked *catalog.LockedError
	if errors.As(err, &locked) && locked.Holder.HTTP != "" {
		return importViaJobs(ctx, locked.Holder.HTTP, readLocalToken(*data), *dsName, fs.Args(), spec, stdout, stderr)
	}
	if err != nil {
		return err
	}
	defer l.Close()
	created, err := l.ensureDatastore(ctx, *dsName)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stdout, "created data store %s\n", *dsName)
	}
	m, err := openJobs(l, jobRunner(l, *batch, localRefresh(l), nil))
	if err != nil {
		return err
	}
	defer m.Close()
	j, err := importLocal(ctx, m, *dsName, fs.Args(), spec, stderr)
	if err != nil {
		return err
	}
	if j.Progress.Rejected > 0 {
		if err := printJobReport(m, j, stderr); err != nil {
			return err
		}
	}
	printJobResult(stdout, stderr, j)
	return jobExit(j)
}

// importSpec returns the job options of `fhirlake import`: the CSV
// mapping file (made absolute, and checked now so that a mistake in it is
// told before anything runs) and whether to normalise.
func importSpec(mapping string, normalize bool) (jobs.Job, error) {
	spec := jobs.Job{Normalize: normalize}
	if mapping == "" {
		return spec, nil
	}
	abs, err := filepath.Abs(mapping)
	if err != nil {
		return spec, fmt.Errorf("import: --mapping: %w", err)
	}
	if _, err := csvmap.LoadFile(abs); err != nil {
		return spec, usagef("import: --mapping: %v", err)
	}
	spec.Mapping = abs
	return spec, nil
}

// importJobRequest is the request that submits a job for inputs with
// spec's options to a server: the mapping file goes inline, since the
// server keeps its own copy.
func importJobRequest(inputs []string, spec jobs.Job) (api.ImportJobRequest, error) {
	req := api.ImportJobRequest{Inputs: inputs, Normalize: &spec.Normalize}
	if spec.Mapping != "" {
		doc, err := os.ReadFile(spec.Mapping)
		if err != nil {
			return req, fmt.Errorf("import: --mapping: %w", err)
		}
		req.Mapping = string(doc)
	}
	return req, nil
}

// importLocal runs an import job in this process through m, showing its
// progress on errw. Cancelling ctx cancels the job. Jobs an earlier process left
// unfinished are marked interrupted, not run. spec holds the job's
// mapping and normalisation (see jobs.Manager.Submit).
func importLocal(ctx context.Context, m *jobs.Manager, ds string, paths []string, spec jobs.Job, errw io.Writer) (jobs.Job, error) {
	j, err := m.Submit(ds, paths, spec)
	if err != nil {
		return j, err
	}
	disp := newProgress(errw)
	defer disp.done()
	for {
		wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		got, err := m.Wait(wctx, ds, j.ID)
		cancel()
		switch {
		case err == nil:
			return got, nil
		case ctx.Err() != nil:
			if _, err := m.Cancel(ds, j.ID); err != nil && !errors.Is(err, jobs.ErrFinished) {
				return got, err
			}
			return m.Wait(context.WithoutCancel(ctx), ds, j.ID)
		case !errors.Is(err, context.DeadlineExceeded):
			return got, err
		}
		disp.update(got)
	}
}

// printJobReport prints the start of a job's error report (see
// printReport), read through m so that a sealed report is decrypted.
func printJobReport(m *jobs.Manager, j jobs.Job, w io.Writer) error {
	rc, err := m.Report(j.Datastore, j.ID)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer rc.Close()
	return printReport(rc, w)
}

// printJobResult prints how an import job ended: the data store it
// created, the files it skipped, its warnings, the summary table and, if
// records were rejected, where the error report is.
func printJobResult(stdout, stderr io.Writer, j jobs.Job) {
	for _, s := range j.Skipped {
		fmt.Fprintln(stderr, "skipped (not FHIR NDJSON, JSON or CSV):", s)
	}
	for _, w := range j.Warnings {
		fmt.Fprintln(stderr, w)
	}
	printImportSummary(stdout, jobSummary(j))
	if line := stageLine(j.StageSeconds); line != "" {
		fmt.Fprintln(stdout, line)
	}
	if j.Progress.Rejected > 0 {
		fmt.Fprintf(stderr, "import %s completed with errors: %d records rejected; error report: %s\n",
			j.ID, j.Progress.Rejected, j.ErrorReport)
	}
}

// jobExit is the error `fhirlake import` returns for a job that ended.
func jobExit(j jobs.Job) error {
	switch j.State {
	case jobs.Completed:
		return nil
	case jobs.CompletedWithErrors:
		return &rejectedError{job: j}
	case jobs.Failed:
		return fmt.Errorf("import: job %s failed: %s", j.ID, j.Error)
	}
	return fmt.Errorf("import: job %s ended %s", j.ID, j.State)
}

// rejectedError ends an import that completed with errors: the good
// records loaded, some were rejected. Its exit status is exitRejected.
type rejectedError struct{ job jobs.Job }

func (e *rejectedError) Error() string {
	return fmt.Sprintf("import: job %s completed with errors: %d records rejected (see %s)",
		e.job.ID, e.job.Progress.Rejected, e.job.ErrorReport)
}

// ExitCode is the process exit status for the error.
func (e *rejectedError) ExitCode() int { return exitRejected }

// importInto loads paths into a data store and refreshes its views. Every
// rejected record is printed to errw as "file:line: reason".
func importInto(ctx context.Context, l *lake, ds string, paths []string, batch int, errw io.Writer) (ingest.Summary, error) {
	st, err := l.store(ds)
	if err != nil {
		return ingest.Summary{}, err
	}
	opts, err := importOptions(jobs.Job{Normalize: true}, batch)
	if err != nil {
		return ingest.Summary{}, err
	}
	opts.Reject = func(e *ingest.RecordError) { fmt.Fprintln(errw, "rejected:", e) }
	sum, warnings, _, err := importResolved(ctx, st, strings.Join(paths, " "), paths, opts)
	for _, w := range warnings {
		fmt.Fprintln(errw, w)
	}
	for _, s := range sum.Skipped {
		fmt.Fprintln(errw, "skipped (not FHIR NDJSON, JSON or CSV):", s)
	}
	if err != nil {
		return sum, err
	}
	start := time.Now()
	err = refreshViews(ctx, l, ds, st, errw)
	sum.Elapsed += time.Since(start)
	return sum, err
}

// refreshViews brings the views of ds up to date with its raw store when
// no server runs: files nothing names are removed, the views catch up
// with every change after the catalog's materialized sequence (so an
// import that was interrupted, or whose refresh failed, is caught up by
// the next import or server start), and the files they replace are
// deleted at once. Call it only while no server holds the data folder, or
// before the server's engine starts.
func refreshViews(ctx context.Context, l *lake, ds string, st *store.Store, errw io.Writer) error {
	reports, err := localRefresh(l)(ctx, ds, st)
	printViewReports(errw, reports)
	return err
}

// localRefresh returns the refresh of refreshViews, which returns the
// view reports instead of printing them.
func localRefresh(l *lake) refreshFunc {
	return func(ctx context.Context, ds string, st *store.Store) ([]ingest.ViewReport, error) {
		if _, err := l.cat.RemoveOrphans(ds); err != nil {
			return nil, err
		}
		reports, err := updateViews(ctx, l, ds, st)
		if err != nil {
			return reports, err
		}
		_, err = l.cat.Sweep(ds)
		return reports, err
	}
}

// updateViews refreshes the views of ds from the changes after the
// catalog's materialized sequence (see ingest.Refresh) and records how
// far they got. The caller serializes the refreshes of a data store.
func updateViews(ctx context.Context, l *lake, ds string, st *store.Store) ([]ingest.ViewReport, error) {
	since, err := l.cat.MaterializedSeq(ds)
	if err != nil {
		return nil, err
	}
	cat, err := l.indexing(ctx)
	if err != nil {
		return nil, err
	}
	head, reports, err := ingest.Refresh(ctx, cat, ds, st, since)
	if err != nil {
		return reports, err
	}
	if head > since {
		return reports, l.cat.SetMaterializedSeq(ds, head)
	}
	return reports, nil
}

// printViewReports tells of the resources views could not flatten.
func printViewReports(w io.Writer, reports []ingest.ViewReport) {
	for _, r := range reports {
		if r.Skipped > 0 {
			fmt.Fprintln(w, viewWarning(r))
		}
	}
}

func printImportSummary(w io.Writer, sum ingest.Summary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "resource type\tread\tcreated\tupdated\tunchanged\t")
	for _, t := range sum.Types() {
		c := sum.ByType[t]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", t, c.Total(), c.Created, c.Updated, c.Unchanged)
	}
	tw.Flush()
	secs := sum.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(sum.Resources()) / secs
	}
	fmt.Fprintf(w, "files: %d, resources: %d, rejected: %d, normalized: %d, %.1f MB in %.2fs (%.0f resources/s)\n",
		sum.Files, sum.Resources(), sum.Rejected, sum.Normalized, float64(sum.Bytes)/1e6, secs, rate)
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// stageOrder is the order of an import's stages (see jobs.Job.StageSeconds).
var stageOrder = []string{"read", "normalize", "write", "resolve", "link", "views"}

// stageLine describes the time each stage of an import was busy, e.g.
// "stages (s): read 12.1, normalize 3.0, write 30.2, resolve 0.4, views
// 41.0 (read, normalize and write overlap)"; "" when none was recorded.
func stageLine(secs map[string]float64) string {
	if len(secs) == 0 {
		return ""
	}
	var parts []string
	for _, name := range stageOrder {
		if v, ok := secs[name]; ok {
			parts = append(parts, fmt.Sprintf("%s %.2f", name, v))
		}
	}
	return "stages (s): " + strings.Join(parts, ", ") + " (read, normalize and write overlap)"
}
