package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/deid"
	"github.com/fhirlake/fhirlake/flatten"
	"github.com/fhirlake/fhirlake/search"
	"github.com/fhirlake/fhirlake/store"
)

// Source is where views read resources from; *store.Store is one.
type Source interface {
	// Scan calls fn for the current, non-deleted version of every
	// resource of type typ. fn may keep the Body.
	Scan(ctx context.Context, typ string, fn func(store.Resource) error) error
}

// Catalog is what materialization needs of the catalog.
type Catalog interface {
	Views(ds string) ([]catalog.View, error)
	PutView(ds string, v catalog.View) error
	// DeleteView removes a view (a de-identified twin whose view is
	// gone, see WithDeid).
	DeleteView(ds, name string) error
	DatastoreDir(ds string) string
}

const (
	// recordRows is the number of rows per Arrow record batch (and so per
	// Parquet row group flush).
	recordRows = 64 * 1024
	// handoff is the number of resources passed to a worker at a time.
	handoff = 256
	// maxViewErrors bounds ViewReport.Errors.
	maxViewErrors = 5
)

// ViewReport says how one view was rebuilt.
type ViewReport struct {
	View    string
	Rows    int64
	Skipped int      // resources the view could not flatten; they stay in the raw store
	Errors  []string // the first few reasons, "Type/id: reason"
}

// InstallDefaultViews registers the built-in ViewDefinitions in a data
// store and materializes them.
func InstallDefaultViews(ctx context.Context, cat Catalog, ds string, src Source) error {
	for _, vd := range flatten.DefaultViews() {
		v, err := flatten.Compile(vd)
		if err != nil {
			return fmt.Errorf("ingest: default view: %w", err)
		}
		if err := cat.PutView(ds, catalog.View{Name: v.Name(), Resource: v.Resource(), Definition: vd.Raw, Default: true}); err != nil {
			return err
		}
	}
	_, err := Materialize(ctx, cat, ds, src)
	return err
}

// Materialize rebuilds every view of data store ds from src into fresh
// Parquet files and switches the catalog to them. The files they replace
// are not deleted here but become catalog garbage: the caller runs
// catalog.Sweep once no reader can use them (at once without a server,
// after the engine's Refresh with one).
//
// Views over the same resource type share one scan of the raw store, and
// the flattening is spread over one worker per core, each writing its own
// Parquet part of every view; a view is the union of its parts. Every part
// is complete and fsynced before the catalog points at it, so readers
// always see whole files. A resource that a view cannot flatten (say, two
// values where the view wants one) is left out of that view and reported,
// not fatal.
func Materialize(ctx context.Context, cat Catalog, ds string, src Source) ([]ViewReport, error) {
	return MaterializeTypes(ctx, cat, ds, src, nil)
}

// MaterializeTypes is Materialize restricted to the views over the given
// resource types (all views when types is nil). After an import, only the
// types that gained a version need rebuilding.
func MaterializeTypes(ctx context.Context, cat Catalog, ds string, src Source, types []string) ([]ViewReport, error) {
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	return materialize(ctx, cat, ds, src, func(j *viewJob) bool {
		return types == nil || want[j.view.Resource()]
	})
}

// MaterializeViews is Materialize restricted to the named views, for a
// view that was just created or changed. A name that is not a view of ds
// is an error wrapping catalog.ErrNotFound, and nothing is rebuilt.
func MaterializeViews(ctx context.Context, cat Catalog, ds string, src Source, names []string) ([]ViewReport, error) {
	cvs, err := cat.Views(ds)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(cvs))
	for _, cv := range cvs {
		have[cv.Name] = true
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		if !have[n] {
			return nil, fmt.Errorf("ingest: view %s.%s: %w", ds, n, catalog.ErrNotFound)
		}
		want[n] = true
		want[catalog.DeidName(n)] = true // its de-identified twin, with WithDeid
	}
	return materialize(ctx, cat, ds, src, func(j *viewJob) bool { return want[j.cv.Name] })
}

// materialize rebuilds the views of ds that keep selects. The files the
// rebuilt views replace are left to the caller's catalog.Sweep, which must
// wait until no reader uses them (see catalog.PutView).
func materialize(ctx context.Context, cat Catalog, ds string, src Source, keep func(*viewJob) bool) ([]ViewReport, error) {
	if err := syncDeidTwins(cat, ds); err != nil {
		return nil, err
	}
	cvs, err := cat.Views(ds)
	if err != nil {
		return nil, err
	}
	groups := map[string][]*viewJob{}
	jobs := make([]*viewJob, 0, len(cvs))
	for _, cv := range cvs {
		j, err := newViewJob(cv)
		if err != nil {
			return nil, fmt.Errorf("ingest: view %s.%s: %w", ds, cv.Name, err)
		}
		if !keep(j) {
			continue
		}
		jobs = append(jobs, j)
		groups[j.view.Resource()] = append(groups[j.view.Resource()], j)
	}
	order := make([]string, 0, len(groups))
	for t := range groups {
		order = append(order, t)
	}
	sort.Strings(order)
	d, err := twinDeidentifier(cat, ds, jobs)
	if err != nil {
		return nil, err
	}
	// The scans see at least every change up to base.
	var base uint64
	if cs, ok := src.(interface {
		Seq(context.Context) (uint64, error)
	}); ok {
		if base, err = cs.Seq(ctx); err != nil {
			return nil, err
		}
	}
	stamp := fileStamp()
	dir := cat.DatastoreDir(ds)
	for _, typ := range order {
		feed := func(ctx context.Context, fn func(store.Resource) error) error { return src.Scan(ctx, typ, fn) }
		if err := buildGroup(ctx, dir, stamp, 1, groups[typ], feed, clusterPolicyOf(cat), d); err != nil {
			return nil, fmt.Errorf("ingest: views of %s in %s: %w", typ, ds, err)
		}
	}
	// The parts were renamed into place; make the renames durable before
	// the catalog names them.
	if err := syncDir(filepath.Join(dir, "views")); err != nil {
		return nil, fmt.Errorf("ingest: views of %s: %w", ds, err)
	}
	reports := make([]ViewReport, len(jobs))
	for i, j := range jobs {
		j.cv.Files, j.cv.Rows = j.files, j.report.Rows
		j.cv.Layout = catalog.CurrentLayout
		j.cv.Base = base
		if j.cv.Kind == catalog.KindSearch {
			j.cv.Definition = []byte(search.IndexVersion)
		}
		j.cv.Resource = j.view.Resource()
		j.cv.Updated = time.Now().UTC()
		if err := cat.PutView(ds, j.cv); err != nil {
			return nil, err
		}
		reports[i] = j.report
	}
	return reports, nil
}

// viewJob is one view being rebuilt.
type viewJob struct {
	cv     catalog.View
	view   table
	deid   bool // a de-identified twin: flattens de-identified resources
	files  []catalog.File
	report ViewReport
}

func newViewJob(cv catalog.View) (*viewJob, error) {
	if cv.Kind == catalog.KindSearch {
		return &viewJob{cv: cv, view: indexTable{cv.Name, cv.Resource}, report: ViewReport{View: cv.Name}}, nil
	}
	vd, err := flatten.ParseView(cv.Definition)
	if err != nil {
		return nil, err
	}
	v, err := flatten.Compile(vd)
	if err != nil {
		return nil, err
	}
	return &viewJob{cv: cv, view: viewTable{v}, deid: cv.Kind == catalog.KindDeid, report: ViewReport{View: cv.Name}}, nil
}

// feedFunc calls fn for each resource to flatten.
type feedFunc func(ctx context.Context, fn func(store.Resource) error) error

// fileStamp returns a token that makes the names of the files written now
// unique.
func fileStamp() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }

// buildGroup reads the resources of one type from feed once and flattens
// them into generation gen of every view of the group, spread over one
// worker per core.
//
// With a cluster policy, the search index files are then clustered. d
// de-identifies the resources of the de-identified twins among jobs
// (once per resource, whatever the number of twins); it may be nil when
// there are none.
func buildGroup(ctx context.Context, dir, stamp string, gen int, jobs []*viewJob, feed feedFunc, cp *clusterPolicy, d *deid.Deidentifier) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := runtime.GOMAXPROCS(0)
	workers := make([]*worker, n)
	for k := range workers {
		w, err := newWorker(dir, stamp, gen, k, jobs, d)
		if err != nil {
			for _, w := range workers[:k] {
				w.abort()
			}
			return err
		}
		workers[k] = w
	}
	in := make(chan []store.Resource, 2*n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range in {
				if errs[k] != nil {
					continue // drain
				}
				if errs[k] = w.add(ctx, batch); errs[k] != nil {
					cancel()
				}
			}
		}()
	}
	batch := make([]store.Resource, 0, handoff)
	scanErr := feed(ctx, func(r store.Resource) error {
		batch = append(batch, r)
		if len(batch) < handoff {
			return nil
		}
		select {
		case in <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
		batch = make([]store.Resource, 0, handoff)
		return nil
	})
	if scanErr == nil && len(batch) > 0 {
		in <- batch
	}
	close(in)
	wg.Wait()
	if err := errors.Join(append(errs, scanErr)...); err != nil {
		for _, w := range workers {
			w.abort()
		}
		return err
	}
	for _, w := range workers {
		if err := w.finish(); err != nil {
			for _, w := range workers {
				w.abort()
			}
			return err
		}
	}
	mergeParts(jobs, workers)
	if err := cp.cluster(ctx, dir, jobs); err != nil {
		for _, j := range jobs {
			for _, f := range j.files {
				os.Remove(filepath.Join(dir, f.Path))
			}
		}
		return err
	}
	return nil
}

// mergeParts collects the parts of each view into its file list and
// report. Empty parts are dropped, except that a view keeps one file (of
// zero rows) so that its table and schema exist.
func mergeParts(jobs []*viewJob, workers []*worker) {
	for i, j := range jobs {
		for k, w := range workers {
			p := w.parts[i]
			j.report.Rows += p.rows
			j.report.Skipped += p.skipped
			for _, e := range p.errors {
				if len(j.report.Errors) < maxViewErrors {
					j.report.Errors = append(j.report.Errors, e)
				}
			}
			if p.rows > 0 || (k == len(workers)-1 && len(j.files) == 0) {
				j.files = append(j.files, catalog.File{Path: p.rel, Rows: p.rows, Bytes: p.size, Gen: p.gen})
			} else {
				os.Remove(p.path)
			}
		}
	}
}

// worker flattens resources into its own part of every view of a group.
type worker struct {
	parts []*part
	deid  *deid.Deidentifier // for the parts of twins (part.deid)
}

// part is one worker's Parquet data file of one view.
type part struct {
	view      table
	rel, path string // relative to the data store folder; absolute
	gen       int
	deid      bool // flattens the de-identified resource
	f         *os.File
	pw        *flatten.ParquetWriter
	b         rowBuilder
	keys      *keyColumn
	rows      int64
	size      int64
	skipped   int
	errors    []string
}

func newWorker(dir, stamp string, gen, k int, jobs []*viewJob, d *deid.Deidentifier) (*worker, error) {
	w := &worker{deid: d}
	for _, j := range jobs {
		rel := filepath.Join("views", fmt.Sprintf("%s.%s.%d.parquet", j.cv.Name, stamp, k))
		p := &part{view: j.view, rel: rel, path: filepath.Join(dir, rel), gen: gen, deid: j.deid}
		f, err := os.OpenFile(p.path+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			w.abort()
			return nil, err
		}
		p.f = f
		p.keys = newKeyColumn(j.view.Schema())
		// Hide Close from the Parquet writer: the file is synced before it is closed.
		if p.pw, err = flatten.NewParquetWriter(struct{ io.Writer }{f}, p.keys.schema); err != nil {
			f.Close()
			w.abort()
			return nil, err
		}
		p.b = j.view.newBuilder(memory.DefaultAllocator)
		w.parts = append(w.parts, p)
	}
	return w, nil
}

// add flattens a batch of resources into every part.
func (w *worker) add(ctx context.Context, batch []store.Resource) error {
	for _, r := range batch {
		var twin deidentified
		for _, p := range w.parts {
			body, id := r.Body, r.ID
			if p.deid {
				if !twin.done {
					twin = w.deidentify(ctx, r)
				}
				if twin.err != nil {
					p.skip(r, twin.err)
					continue
				}
				body, id = twin.body, twin.id
			}
			before := p.b.Len()
			if err := p.b.Append(body); err != nil {
				p.skip(r, err)
				continue
			}
			p.keys.append(id, p.b.Len()-before)
			if p.b.Len() >= recordRows {
				if err := p.flush(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// skip records a resource the part could not flatten.
func (p *part) skip(r store.Resource, err error) {
	p.skipped++
	if len(p.errors) < maxViewErrors {
		p.errors = append(p.errors, fmt.Sprintf("%s/%s: %v", r.Type, r.ID, err))
	}
}

func (p *part) flush() error {
	rec := p.keys.attach(p.b.NewRecord())
	defer rec.Release()
	p.rows += rec.NumRows()
	if err := p.pw.Write(rec); err != nil {
		return fmt.Errorf("view %s: write %s: %w", p.view.Name(), p.rel, err)
	}
	return nil
}

// finish flushes, syncs and renames every part into place.
func (w *worker) finish() error {
	for _, p := range w.parts {
		if p.b.Len() > 0 {
			if err := p.flush(); err != nil {
				return err
			}
		}
		if err := p.pw.Close(); err != nil {
			return fmt.Errorf("view %s: close %s: %w", p.view.Name(), p.rel, err)
		}
		if err := p.f.Sync(); err != nil {
			return err
		}
		fi, err := p.f.Stat()
		if err != nil {
			return err
		}
		p.size = fi.Size()
		if err := p.f.Close(); err != nil {
			return err
		}
		p.f = nil
		p.b.Release()
		p.b = nil
		p.keys.release()
		if err := os.Rename(p.path+".tmp", p.path); err != nil {
			return err
		}
	}
	return nil
}

// abort removes whatever the worker wrote.
func (w *worker) abort() {
	for _, p := range w.parts {
		if p.f != nil {
			p.f.Close()
			p.f = nil
		}
		if p.b != nil {
			p.b.Release()
			p.b = nil
		}
		p.keys.release()
		os.Remove(p.path + ".tmp")
		os.Remove(p.path)
	}
}

// syncDir fsyncs a directory, so that renames into it survive a crash.
func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
