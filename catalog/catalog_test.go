package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

func TestPutViewReplacesFiles(t *testing.T) {
	c, err := Open(t.TempDir())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.CreateDatastore("demo")
	require.NoError(t, err)
	sd := c.DatastoreDir("demo")
	require.NoError(t, os.WriteFile(filepath.Join(sd, "views", "a.parquet"), []byte("x"), 0o600))
	require.NoError(t, c.PutView("demo", View{Name: "patient", Resource: "Patient", Files: []File{{Path: "views/a.parquet", Rows: 3}}, Rows: 3}))
	require.NoError(t, os.WriteFile(filepath.Join(sd, "views", "b.parquet"), []byte("y"), 0o600))
	require.NoError(t, c.PutView("demo", View{Name: "patient", Resource: "Patient", Files: []File{{Path: "views/b.parquet", Rows: 4}}, Rows: 4}))
	require.NoFileExists(t, filepath.Join(sd, "views", "a.parquet"))
	require.FileExists(t, filepath.Join(sd, "views", "b.parquet"))
	views, err := c.Views("demo")
	require.NoError(t, err)
	require.Len(t, views, 1)
	require.EqualValues(t, 4, views[0].Rows)
	require.Error(t, c.PutView("nope", View{Name: "patient"}))
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
