package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// mountTmpfs mounts a tmpfs of the given size ("3m") on a new folder and
// returns it. Mounting needs CAP_SYS_ADMIN: without it the test skips,
// or fails under CI=true.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "small")
	require.NoError(t, os.Mkdir(dir, 0o700))
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("a small file system is required under CI=true (mount tmpfs needs root): %v", err)
		}
		t.Skipf("cannot mount a small file system: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// TestImportDiskFull fills the disk during an import: the import fails
// with a message that says so, and once there is room again the same
// import completes and the data store equals that of an import that never
// ran out of space.
func TestImportDiskFull(t *testing.T) {
	ctx := context.Background()
	// 150 patients make an Observation index of about 280,000 rows:
	// clustered, so that one size runs out of room while it is.
	t.Setenv("FHIRLAKE_CLUSTER_MIN_ROWS", "100000")
	dir := t.TempDir()
	gen := filepath.Join(dir, "gen")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "150", "--seed", "11", "--out", gen}, &out, &out), out.String())
	ref := filepath.Join(dir, "ref")
	out.Reset()
	require.NoError(t, run(ctx, []string{"import", "--data", ref, "--datastore", "crash", gen}, &out, &out), out.String())

	want := lakeContents(t, ref)
	// The sizes run out of room while the raw store is written, while the
	// views' Parquet files are, and while the search index is clustered.
	for _, size := range []string{"3m", "16m", "22m"} {
		t.Run(size, func(t *testing.T) {
			small := mountTmpfs(t, size)
			data := filepath.Join(small, "data")
			out.Reset()
			err := run(ctx, []string{"import", "--data", data, "--datastore", "crash", gen}, &out, &out)
			require.Error(t, err, out.String())
			require.Contains(t, strings.ToLower(err.Error()), "no space left on device")
			t.Logf("disk full: %.300s", err)

			require.NoError(t, syscall.Mount("tmpfs", small, "tmpfs", syscall.MS_REMOUNT, "size=512m"))
			out.Reset()
			require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "crash", gen}, &out, &out), out.String())
			require.Equal(t, want, lakeContents(t, data))
		})
	}
}
