package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDatastoreLifecycle(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	require.NoError(t, err)
	defer c.Close()

	_, err = c.CreateDatastore("demo")
	require.NoError(t, err)
	_, err = c.CreateDatastore("demo")
	require.ErrorIs(t, err, ErrExists)
	for _, bad := range []string{"", "Demo", "1x", "a-b", "../x", strings.Repeat("a", 64)} {
		_, err = c.CreateDatastore(bad)
		require.Error(t, err, bad)
	}
	require.DirExists(t, filepath.Join(dir, "stores", "demo", "views"))

	list, err := c.Datastores()
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "demo", list[0].Name)

	_, err = c.Datastore("nope")
	require.ErrorIs(t, err, ErrNotFound)

	require.NoError(t, c.DeleteDatastore("demo"))
	require.NoDirExists(t, filepath.Join(dir, "stores", "demo"))
	require.ErrorIs(t, c.DeleteDatastore("demo"), ErrNotFound)
}

// TestViewFiles checks that replacing or deleting a view never deletes a
// file a reader may still use: the old files become garbage, which only
// Sweep removes.
func TestViewFiles(t *testing.T) {
	c, err := Open(t.TempDir())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.CreateDatastore("demo")
	require.NoError(t, err)
	sd := c.DatastoreDir("demo")
	file := func(name string) File {
		require.NoError(t, os.WriteFile(filepath.Join(sd, "views", name), []byte(name), 0o600))
		return File{Path: filepath.Join("views", name), Rows: 1}
	}
	a, b, c2 := file("a.parquet"), file("b.parquet"), file("c.parquet")

	garbage := func() []string {
		g, err := c.Garbage("demo")
		require.NoError(t, err)
		return g
	}
	require.NoError(t, c.PutView("demo", View{Name: "patient", Resource: "Patient", Files: []File{a, b}, Rows: 2, Default: true}))
	require.Empty(t, garbage())

	// Replacing keeps b, drops a: a is garbage but still on disk.
	require.NoError(t, c.PutView("demo", View{Name: "patient", Resource: "Patient", Files: []File{b, c2}, Rows: 2}))
	require.Equal(t, []string{a.Path}, garbage())
	require.FileExists(t, filepath.Join(sd, a.Path))
	v, err := c.View("demo", "patient")
	require.NoError(t, err)
	require.Equal(t, []File{b, c2}, v.Files)
	require.False(t, v.Default)

	n, err := c.Sweep("demo")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoFileExists(t, filepath.Join(sd, a.Path))
	require.FileExists(t, filepath.Join(sd, b.Path))
	require.Empty(t, garbage())

	// Deleting makes every file garbage; Sweep removes them.
	require.NoError(t, c.DeleteView("demo", "patient"))
	require.Equal(t, []string{b.Path, c2.Path}, garbage())
	require.FileExists(t, filepath.Join(sd, b.Path))
	views, err := c.Views("demo")
	require.NoError(t, err)
	require.Empty(t, views)
	n, err = c.Sweep("demo")
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.NoFileExists(t, filepath.Join(sd, b.Path))
	require.NoFileExists(t, filepath.Join(sd, c2.Path))
	n, err = c.Sweep("demo")
	require.NoError(t, err)
	require.Zero(t, n)

	// A file named again leaves the garbage.
	d := file("d.parquet")
	require.NoError(t, c.PutView("demo", View{Name: "obs", Resource: "Observation", Files: []File{d}}))
	require.NoError(t, c.PutView("demo", View{Name: "obs", Resource: "Observation"}))
	require.Equal(t, []string{d.Path}, garbage())
	require.NoError(t, c.PutView("demo", View{Name: "obs", Resource: "Observation", Files: []File{d}}))
	require.Empty(t, garbage())
}

func TestViewErrors(t *testing.T) {
	c, err := Open(t.TempDir())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.CreateDatastore("demo")
	require.NoError(t, err)
	tests := []struct {
		name    string
		err     error
		wantErr error
		wantMsg string
	}{
		{"put into missing data store", c.PutView("nope", View{Name: "patient"}), ErrNotFound, `data store "nope"`},
		{"put invalid name", c.PutView("demo", View{Name: "Bad-Name"}), nil, "invalid view name"},
		{"put twin name as a view", c.PutView("demo", View{Name: DeidName("patient")}), nil, "invalid view name"},
		{"put twin of an invalid name", c.PutView("demo", View{Name: DeidName("Bad"), Kind: KindDeid}), nil, "invalid view name"},
		{"put twin without its prefix", c.PutView("demo", View{Name: "patient", Kind: KindDeid}), nil, "invalid view name"},
		{"delete missing view", c.DeleteView("demo", "nope"), ErrNotFound, `view "nope"`},
		{"delete in missing data store", c.DeleteView("nope", "patient"), ErrNotFound, `data store "nope"`},
		{"get missing view", func() error { _, err := c.View("demo", "nope"); return err }(), ErrNotFound, `view "nope"`},
		{"garbage of missing data store", func() error { _, err := c.Garbage("nope"); return err }(), ErrNotFound, "nope"},
		{"sweep missing data store", func() error { _, err := c.Sweep("nope"); return err }(), ErrNotFound, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, tt.err)
			if tt.wantErr != nil {
				require.ErrorIs(t, tt.err, tt.wantErr)
			}
			require.ErrorContains(t, tt.err, tt.wantMsg)
		})
	}
}

func TestSecondOpenNamesHolder(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	require.NoError(t, err)
	_, err = Open(dir)
	var le *LockedError
	require.True(t, errors.As(err, &le), "got %v", err)
	require.Equal(t, os.Getpid(), le.Holder.PID)
	require.Contains(t, err.Error(), "in use by pid")
	require.NoError(t, c.Close())
	c2, err := Open(dir)
	require.NoError(t, err, "lock released on Close")
	require.NoError(t, c2.Close())
}

func TestRecoveryAfterCrash(t *testing.T) {
	c, err := Open(t.TempDir())
	require.NoError(t, err)
	defer c.Close()

	// A folder left by a DeleteDatastore that crashed before RemoveAll is
	// not resurrected by a new data store of the same name.
	sd := c.DatastoreDir("demo")
	require.NoError(t, os.MkdirAll(sd, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(sd, "raw.db"), []byte("old data"), 0o600))
	_, err = c.CreateDatastore("demo")
	require.NoError(t, err)
	require.NoFileExists(t, filepath.Join(sd, "raw.db"))

	// Materialized sequence round-trips and starts at 0.
	seq, err := c.MaterializedSeq("demo")
	require.NoError(t, err)
	require.Zero(t, seq)
	require.NoError(t, c.SetMaterializedSeq("demo", 42))
	seq, err = c.MaterializedSeq("demo")
	require.NoError(t, err)
	require.EqualValues(t, 42, seq)
	_, err = c.MaterializedSeq("nope")
	require.ErrorIs(t, err, ErrNotFound)

	// Orphans (unnamed parts, *.tmp) go; named files and garbage stay.
	write := func(name string) {
		require.NoError(t, os.WriteFile(filepath.Join(sd, "views", name), []byte("x"), 0o600))
	}
	for _, dir := range []string{"param=code", ".cluster-x/param=code", "other"} {
		require.NoError(t, os.MkdirAll(filepath.Join(sd, "views", dir), 0o700))
	}
	for _, n := range []string{"a.parquet", "b.parquet", "orphan.parquet", "c.parquet.tmp",
		"param=code/kept.parquet", "param=code/orphan.parquet", ".cluster-x/param=code/data_0.parquet", "other/left.parquet"} {
		write(n)
	}
	require.NoError(t, c.PutView("demo", View{Name: "v", Files: []File{{Path: "views/a.parquet"}}}))
	require.NoError(t, c.PutView("demo", View{Name: "v", Files: []File{{Path: "views/b.parquet"}, {Path: "views/param=code/kept.parquet", Partitioned: true}}}))
	n, err := c.RemoveOrphans("demo")
	require.NoError(t, err)
	require.Equal(t, 4, n, "two parts, a clustered file and a clustering's scratch")
	require.FileExists(t, filepath.Join(sd, "views", "param=code", "kept.parquet"))
	require.NoFileExists(t, filepath.Join(sd, "views", "param=code", "orphan.parquet"))
	require.NoDirExists(t, filepath.Join(sd, "views", ".cluster-x"))
	require.FileExists(t, filepath.Join(sd, "views", "other", "left.parquet"), "other folders are not fhirlake's")
	require.FileExists(t, filepath.Join(sd, "views", "a.parquet"), "garbage waits for Sweep")
	require.FileExists(t, filepath.Join(sd, "views", "b.parquet"))
	require.NoFileExists(t, filepath.Join(sd, "views", "orphan.parquet"))
	require.NoFileExists(t, filepath.Join(sd, "views", "c.parquet.tmp"))

	// SweepOlder keeps recent garbage; Sweep takes it.
	n, err = c.SweepOlder("demo", time.Hour)
	require.NoError(t, err)
	require.Zero(t, n)
	require.FileExists(t, filepath.Join(sd, "views", "a.parquet"))
	n, err = c.Sweep("demo")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoFileExists(t, filepath.Join(sd, "views", "a.parquet"))
}

// TestDeidTwinNames checks the names of de-identified twins, and that a
// view's deletion takes its twin along.
func TestDeidTwinNames(t *testing.T) {
	for _, tt := range []struct {
		name, view string
		ok         bool
	}{
		{"deid.patient", "patient", true},
		{"deid.deid_x", "deid_x", true},
		{"patient", "", false},
		{"deid.", "", false},
		{"deid.Bad", "", false},
	} {
		view, ok := DeidOf(tt.name)
		require.Equal(t, tt.ok, ok, tt.name)
		if ok {
			require.Equal(t, tt.view, view)
			require.Equal(t, tt.name, DeidName(view))
		}
	}
	c, err := Open(t.TempDir())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.CreateDatastore("demo")
	require.NoError(t, err)
	f := File{Path: "views/deid.patient.1.0.parquet"}
	require.NoError(t, c.PutView("demo", View{Name: "patient", Resource: "Patient"}))
	require.NoError(t, c.PutView("demo", View{Name: DeidName("patient"), Resource: "Patient", Kind: KindDeid, Files: []File{f}}))
	require.NoError(t, c.PutView("demo", View{Name: "other", Resource: "Patient"}))
	require.NoError(t, c.DeleteView("demo", "patient"))
	views, err := c.Views("demo")
	require.NoError(t, err)
	require.Len(t, views, 1)
	require.Equal(t, "other", views[0].Name)
	garbage, err := c.Garbage("demo")
	require.NoError(t, err)
	require.Equal(t, []string{f.Path}, garbage)
	require.True(t, View{Kind: KindDeid}.Derived())
	require.True(t, View{Kind: KindSearch}.Derived())
	require.False(t, View{}.Derived())
}
