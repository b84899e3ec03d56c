package engine

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/catalog"
)

// fakeCatalog is an in-memory Catalog over a temporary data folder.
type fakeCatalog struct {
	dir    string
	mu     sync.Mutex
	stores map[string][]catalog.View
}

func (c *fakeCatalog) Dir() string                   { return c.dir }
func (c *fakeCatalog) DatastoreDir(ds string) string { return filepath.Join(c.dir, "stores", ds) }

func (c *fakeCatalog) Datastores() ([]catalog.Datastore, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []catalog.Datastore
	for name := range c.stores {
		out = append(out, catalog.Datastore{Name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (c *fakeCatalog) Views(ds string) ([]catalog.View, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.stores[ds]
	if !ok {
		return nil, fmt.Errorf("fake catalog: data store %q: %w", ds, catalog.ErrNotFound)
	}
	return append([]catalog.View(nil), v...), nil
}

func (c *fakeCatalog) setViews(ds string, views ...catalog.View) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stores[ds] = views
}

// writer writes Parquet files with a separate DuckDB instance, so the
// engine under test stays locked down.
type writer struct {
	t  testing.TB
	db *sql.DB
	c  *fakeCatalog
}

func newWriter(t testing.TB, c *fakeCatalog) *writer {
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return &writer{t: t, db: db, c: c}
}

// file writes the rows of query to the data store's views/<name> and
// returns the catalog file entry.
func (w *writer) file(ds, name, query string) catalog.File {
	rel := filepath.Join("views", name)
	path := filepath.Join(w.c.DatastoreDir(ds), rel)
	require.NoError(w.t, os.MkdirAll(filepath.Dir(path), 0o700))
	_, err := w.db.Exec(fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet, COMPRESSION zstd)", query, quoteLiteral(path)))
	require.NoError(w.t, err, query)
	return catalog.File{Path: rel}
}

func view(name string, files ...catalog.File) catalog.View {
	return catalog.View{Name: name, Files: files}
}

// testEnv is an engine over two data stores, demo and other.
type testEnv struct {
	cat *fakeCatalog
	w   *writer
	e   *Engine
}

func newEnv(t testing.TB) *testEnv {
	c := &fakeCatalog{dir: t.TempDir(), stores: map[string][]catalog.View{}}
	w := newWriter(t, c)
	c.setViews("demo",
		view("patient", w.file("demo", "patient-1.parquet",
			`SELECT * FROM (VALUES ('p1', 'female', DATE '1970-01-02', 3::BIGINT), ('p2', 'male', DATE '1980-05-06', 1), ('p3', 'female', NULL, 2))
			 t(id, gender, birth_date, visits)`)),
		view("observation", w.file("demo", "observation-1.parquet",
			`SELECT * FROM (VALUES ('o1', 'p1', 1.5::DOUBLE, 'bp'), ('o2', 'p1', 2.5, 'bp'), ('o3', 'p2', 7.0, 'hr'))
			 t(id, patient_id, value, code)`)),
		view("empty", w.file("demo", "empty.parquet", `SELECT 'x'::VARCHAR AS id WHERE false`)),
	)
	c.setViews("other", view("secret", w.file("other", "secret.parquet", `SELECT 42 AS answer`)))
	e, err := Open(context.Background(), c, Options{Threads: 2, MemoryLimit: "1GB"})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	return &testEnv{cat: c, w: w, e: e}
}

func catalogFile(path string) catalog.File { return catalog.File{Path: path} }
