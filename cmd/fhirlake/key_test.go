package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
)

// TestKeyRotate rotates a data folder's master key: the data keys are
// re-wrapped, the data is read with the new key and refused with the old
// one, and the rotation is audited.
func TestKeyRotate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	oldKey, newKey := filepath.Join(dir, "old.key"), filepath.Join(dir, "new.key")
	var out bytes.Buffer
	cli := func(args ...string) (string, error) {
		out.Reset()
		err := run(ctx, args, &out, &out)
		return out.String(), err
	}
	mustCLI := func(args ...string) string {
		t.Helper()
		s, err := cli(args...)
		require.NoError(t, err, s)
		return s
	}
	mustCLI("key", "new", "--out", oldKey)
	mustCLI("generate", "--patients", "3", "--seed", "4", "--out", gen)
	mustCLI("import", "--data", data, "--key-file", oldKey, "--datastore", "ward", gen)
	status := mustCLI("key", "status", "--data", data, "--key-file", oldKey)
	require.Contains(t, status, oldKey)
	require.Contains(t, status, "ward")

	_, err := cli("key", "new", "--out", filepath.Join(data, "inside.key"))
	require.Error(t, err, "a master key is never written inside a data folder")
	mustCLI("key", "new", "--out", newKey)
	mustCLI("key", "rotate", "--data", data, "--key-file", oldKey, "--new-key-file", newKey)

	s, err := cli("datastore", "--data", data, "--key-file", oldKey, "list")
	require.Error(t, err, s)
	require.ErrorContains(t, err, "wrong master key")
	s = mustCLI("view", "--data", data, "--key-file", newKey, "--datastore", "ward", "list")
	require.Contains(t, s, "patient")
	l, err := openLakeWith(data, "test", newKey, &out)
	require.NoError(t, err)
	st, err := l.store("ward")
	require.NoError(t, err)
	n, err := st.Counts(ctx)
	require.NoError(t, err)
	require.Positive(t, n["Patient"])
	require.NoError(t, l.Close())

	rotated := false
	keys, err := openKeys(data, newKey, &out)
	require.NoError(t, err)
	r, err := keys.auditReader(filepath.Join(data, "audit"), nil)
	require.NoError(t, err)
	require.NoError(t, r.Rows(ctx, func(rec audit.Record) error {
		rotated = rotated || rec.Kind == audit.KindKey && rec.Action == "rotate"
		return nil
	}))
	require.True(t, rotated, "the rotation is in the audit log")
}
