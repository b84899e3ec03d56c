package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/fhirlake/fhirlake/api"
	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/ingest"
)

// maxListedRejects bounds the rejected records an import response lists;
// all are counted.
const maxListedRejects = 1000

// serverImporter imports files into the data stores of a running server
// (it implements api.Importer): the records go to the raw store, then the
// views are refreshed incrementally and published to SQL, serialized with
// view changes by the viewStore's per-data-store lock.
type serverImporter struct {
	l     *lake
	views *viewStore

	createMu sync.Mutex // serializes the creation of data stores
}

var _ api.Importer = (*serverImporter)(nil)

// Import implements api.Importer.
func (s *serverImporter) Import(ctx context.Context, ds string, paths []string) (api.ImportResult, error) {
	start := time.Now()
	res := api.ImportResult{Datastore: ds, ByType: map[string]api.ImportCounts{}}
	if !catalog.ValidName(ds) {
		return res, fmt.Errorf("%w: invalid data store name %q: use lowercase letters, digits and _, starting with a letter", api.ErrBadImport, ds)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return res, fmt.Errorf("%w: %s: %v", api.ErrBadImport, p, errors.Unwrap(err))
		}
	}
	s.createMu.Lock()
	created, err := s.l.ensureDatastore(ctx, ds)
	s.createMu.Unlock()
	if err != nil {
		return res, err
	}
	res.Created = created
	st, err := s.l.store(ds)
	if err != nil {
		return res, err
	}
	sum, importErr := ingest.Import(ctx, st, paths, ingest.Options{
		Reject: func(e *ingest.RecordError) {
			if len(res.Rejects) < maxListedRejects {
				res.Rejects = append(res.Rejects, e.Error())
			}
		},
	})
	res.Files, res.Bytes, res.Rejected, res.Skipped = sum.Files, sum.Bytes, sum.Rejected, sum.Skipped
	for t, c := range sum.ByType {
		res.ByType[t] = api.ImportCounts{Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged}
	}
	// What was committed reaches the views even if the client went away.
	rctx := context.WithoutCancel(ctx)
	unlock := s.views.lock(ds)
	reports, err := updateViews(rctx, s.l, ds, st)
	if err == nil {
		err = s.views.publish(rctx, ds)
	}
	unlock()
	for _, r := range reports {
		res.Views = append(res.Views, api.ImportView{View: r.View, Rows: r.Rows, Skipped: r.Skipped, Errors: r.Errors})
	}
	res.ElapsedMS = float64(time.Since(start).Microseconds()) / 1000
	return res, errors.Join(importErr, err)
}
