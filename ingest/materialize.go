package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/flatten"
	"github.com/fhirlake/fhirlake/store"
)

// Source is where views read resources from; *store.Store is one.
type Source interface {
	// Scan calls fn for the current, non-deleted version of every
	// resource of type typ.
	Scan(ctx context.Context, typ string, fn func(store.Resource) error) error
}

// Catalog is what materialization needs of the catalog.
type Catalog interface {
	Views(ds string) ([]catalog.View, error)
	PutView(ds string, v catalog.View) error
	DatastoreDir(ds string) string
}

// recordRows is the number of rows per Arrow record batch (and so per
// Parquet row group flush).
const recordRows = 64 * 1024

// InstallDefaultViews registers the built-in ViewDefinitions in a data
// store and materializes them.
func InstallDefaultViews(ctx context.Context, cat Catalog, ds string, src Source) error {
	for _, vd := range flatten.DefaultViews() {
		v, err := flatten.Compile(vd)
		if err != nil {
			return fmt.Errorf("ingest: default view: %w", err)
		}
		if err := cat.PutView(ds, catalog.View{Name: v.Name(), Resource: v.Resource(), Definition: vd.Raw}); err != nil {
			return err
		}
	}
	_, err := Materialize(ctx, cat, ds, src)
	return err
}

// ViewReport says how one view was rebuilt.
type ViewReport struct {
	View    string
	Rows    int64
	Skipped int      // resources the view could not flatten; they stay in the raw store
	Errors  []string // the first few reasons, "Type/id: reason"
}

// maxViewErrors bounds ViewReport.Errors.
const maxViewErrors = 5

// Materialize rebuilds every view of data store ds from src into fresh
// Parquet files and switches the catalog to them. Views are built in
// parallel, one per core. A view's new file is complete and fsynced
// before the catalog points at it, so readers always see a whole file.
// A resource that a view cannot flatten (say, two values where the view
// wants one) is left out of that view and reported, not fatal.
func Materialize(ctx context.Context, cat Catalog, ds string, src Source) ([]ViewReport, error) {
	views, err := cat.Views(ds)
	if err != nil {
		return nil, err
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	errs := make([]error, len(views))
	reports := make([]ViewReport, len(views))
	for i, cv := range views {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			reports[i], errs[i] = materializeView(ctx, cat, ds, src, cv)
		}()
	}
	wg.Wait()
	return reports, errors.Join(errs...)
}

func materializeView(ctx context.Context, cat Catalog, ds string, src Source, cv catalog.View) (ViewReport, error) {
	rep := ViewReport{View: cv.Name}
	vd, err := flatten.ParseView(cv.Definition)
	if err != nil {
		return rep, fmt.Errorf("ingest: view %s.%s: %w", ds, cv.Name, err)
	}
	v, err := flatten.Compile(vd)
	if err != nil {
		return rep, fmt.Errorf("ingest: view %s.%s: %w", ds, cv.Name, err)
	}
	dir := cat.DatastoreDir(ds)
	rel := filepath.Join("views", cv.Name+"."+strconv.FormatInt(time.Now().UnixNano(), 36)+".parquet")
	rows, size, err := writeViewFile(ctx, filepath.Join(dir, rel), v, src, &rep)
	if err != nil {
		return rep, fmt.Errorf("ingest: view %s.%s: %w", ds, cv.Name, err)
	}
	rep.Rows = rows
	cv.Files = []catalog.File{{Path: rel, Rows: rows, Bytes: size}}
	cv.Rows = rows
	cv.Resource = v.Resource()
	cv.Updated = time.Now().UTC()
	return rep, cat.PutView(ds, cv)
}

// writeViewFile evaluates v over every resource of its type and writes
// the rows to path (via a temporary file and rename). Resources that fail
// to flatten are counted in rep and skipped; Builder.Append adds all the
// rows of a resource or none.
func writeViewFile(ctx context.Context, path string, v *flatten.View, src Source, rep *ViewReport) (rows, size int64, err error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// Hide Close from the Parquet writer: the file is synced before it is closed.
	pw, err := flatten.NewParquetWriter(struct{ io.Writer }{f}, v.Schema())
	if err != nil {
		return 0, 0, err
	}
	b := v.NewBuilder(memory.DefaultAllocator)
	defer b.Release()
	flush := func() error {
		rec := b.NewRecord()
		defer rec.Release()
		rows += rec.NumRows()
		return pw.Write(rec)
	}
	err = src.Scan(ctx, v.Resource(), func(r store.Resource) error {
		if err := b.Append(r.Body); err != nil {
			rep.Skipped++
			if len(rep.Errors) < maxViewErrors {
				rep.Errors = append(rep.Errors, fmt.Sprintf("%s/%s: %v", r.Type, r.ID, err))
			}
			return nil
		}
		if b.Len() >= recordRows {
			return flush()
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	if b.Len() > 0 {
		if err = flush(); err != nil {
			return 0, 0, err
		}
	}
	if err = pw.Close(); err != nil {
		return 0, 0, err
	}
	if err = f.Sync(); err != nil {
		return 0, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	if err = f.Close(); err != nil {
		return 0, 0, err
	}
	if err = os.Rename(tmp, path); err != nil {
		return 0, 0, err
	}
	return rows, fi.Size(), nil
}
