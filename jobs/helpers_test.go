package jobs

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/ingest"
	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

// lake is a data folder with one data store, "demo", as the tests use it.
type lake struct {
	dir string
	st  *store.Store
}

func newLake(t *testing.T) *lake {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "demo", "raw.db"), store.Options{NoSync: true})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return &lake{dir: dir, st: st}
}

func (l *lake) options(run Runner) Options {
	return Options{
		Dir:        func(ds string) string { return filepath.Join(l.dir, ds) },
		Datastores: func() ([]string, error) { return []string{"demo"}, nil },
		Run:        run,
		SaveEvery:  time.Millisecond,
	}
}

// importRunner imports a job's inputs into the store with ingest.Import,
// as the server does, filling the report with the fragments of the
// rejected lines.
func (l *lake) importRunner(ctx context.Context, j Job, run *Run) error {
	var fr Fragments
	defer fr.Close()
	_, err := ingest.Import(ctx, l.st, j.Inputs, ingest.Options{
		BatchSize: 2,
		Reject: func(e *ingest.RecordError) {
			run.Reject(Reject{Source: e.File, Line: e.Line, Reason: e.Reason, Fragment: fr.Fragment(e.File, e.Line)})
		},
		Progress: func(p ingest.Progress) {
			byType := map[string]Counts{}
			for t, c := range p.ByType {
				byType[t] = Counts{Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged}
			}
			run.Progress(Progress{Files: p.Files, FilesTotal: p.FilesTotal, BytesRead: p.BytesRead, BytesTotal: p.BytesTotal,
				Records: p.Records, Rejected: p.Rejected, ByType: byType})
		},
	})
	return err
}

// writeFile writes lines to a file under dir and returns its path.
func writeFile(t *testing.T, dir, name string, lines ...string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	var b []byte
	for _, l := range lines {
		b = append(b, l...)
		b = append(b, '\n')
	}
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

// blockingRunner blocks until its context ends, after telling started.
func blockingRunner(started chan<- string) Runner {
	return func(ctx context.Context, j Job, _ *Run) error {
		started <- j.ID
		<-ctx.Done()
		return ctx.Err()
	}
}
