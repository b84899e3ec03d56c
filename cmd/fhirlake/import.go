package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/ingest"
	"github.com/fhirlake/fhirlake/store"
)

// runImport implements `fhirlake import [--data DIR] [--datastore NAME] PATH...`.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	dsName := fs.String("datastore", "demo", "data store to load into (created if missing)")
	batch := fs.Int("batch", 5000, "resources per store transaction")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirlake import [--data DIR] [--datastore NAME] PATH...\n\nPATH is an NDJSON file (.ndjson, .ndjson.gz), a FHIR Bundle JSON file, or a folder of them.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usagef("import: no PATH given")
	}
	l, err := openLake(*data, "import")
	var locked *catalog.LockedError
	if errors.As(err, &locked) && locked.Holder.HTTP != "" {
		return importViaServer(ctx, locked.Holder.HTTP, *dsName, fs.Args(), stdout, stderr)
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
	sum, err := importInto(ctx, l, *dsName, fs.Args(), *batch, stderr)
	printImportSummary(stdout, sum)
	return err
}

// importInto loads paths into a data store and refreshes its views. Every
// rejected record is printed to errw as "file:line: reason".
func importInto(ctx context.Context, l *lake, ds string, paths []string, batch int, errw io.Writer) (ingest.Summary, error) {
	st, err := l.store(ds)
	if err != nil {
		return ingest.Summary{}, err
	}
	sum, err := ingest.Import(ctx, st, paths, ingest.Options{
		BatchSize: batch,
		Reject:    func(e *ingest.RecordError) { fmt.Fprintln(errw, "rejected:", e) },
	})
	for _, s := range sum.Skipped {
		fmt.Fprintln(errw, "skipped (not FHIR NDJSON or JSON):", s)
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
	if _, err := l.cat.RemoveOrphans(ds); err != nil {
		return err
	}
	reports, err := updateViews(ctx, l, ds, st)
	printViewReports(errw, reports)
	if err != nil {
		return err
	}
	_, err = l.cat.Sweep(ds)
	return err
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
			fmt.Fprintf(w, "view %s: %d resources could not be flattened and are left out of the table (they stay in the raw store), e.g.:\n  %s\n",
				r.View, r.Skipped, strings.Join(r.Errors, "\n  "))
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
	fmt.Fprintf(w, "files: %d, resources: %d, rejected: %d, %.1f MB in %.2fs (%.0f resources/s)\n",
		sum.Files, sum.Resources(), sum.Rejected, float64(sum.Bytes)/1e6, secs, rate)
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
