package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImportWhileServing creates a custom view over HTTP, queries it with
// psql, imports more data with `fhirlake import` while the server holds the
// data folder (the command hands the import to the server), and sees the
// view's table change: incrementally, with a new generation of files.
func TestImportWhileServing(t *testing.T) {
	psqlBin := requireTool(t, "psql")
	ctx := context.Background()
	dir := t.TempDir()
	gen1, gen2, data := filepath.Join(dir, "gen1"), filepath.Join(dir, "gen2"), filepath.Join(dir, "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "20", "--seed", "11", "--out", gen1}, &out, &out), out.String())
	require.NoError(t, run(ctx, []string{"generate", "--patients", "3", "--seed", "12", "--out", gen2}, &out, &out), out.String())
	require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "demo", gen1}, &out, &out), out.String())

	srv := startServe(t, "--data", data)
	host, port, _ := strings.Cut(srv.pgAddr, ":")
	psql := func(sql string) string {
		t.Helper()
		cmd := exec.Command(psqlBin, "-X", "-At", "-F", ",", "-h", host, "-p", port, "-U", "fhirlake", "-d", "demo", "-c", sql)
		cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, string(b))
		return strings.TrimSpace(string(b))
	}
	status, _, body := httpDo(t, "PUT", "http://"+srv.httpAddr+"/datastores/demo/views/bp", bpView, "Content-Type", "application/json")
	require.Equal(t, 201, status, string(body))
	want := bpByCode(t, filepath.Join(gen1, "Observation.ndjson"))
	require.Equal(t, formatCounts(want), psql("select code, count(*) from bp group by 1 order by 1"))
	require.Equal(t, "20", psql("select count(*) from patient"))

	importCmd := func(paths ...string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		err := run(ctx, append([]string{"import", "--data", data, "--datastore", "demo"}, paths...), &stdout, &stderr)
		return stdout.String(), stderr.String(), err
	}
	stdout, stderr, err := importCmd(gen2)
	require.NoError(t, err, stderr)
	require.Contains(t, stderr, "handing the import to it at http://"+srv.httpAddr)
	require.Contains(t, stdout, "Patient")
	require.Regexp(t, `(?m)^\s+Patient\s+3\s+3\s+0\s+0\s*$`, stdout)

	for code, n := range bpByCode(t, filepath.Join(gen2, "Observation.ndjson")) {
		want[code] += n
	}
	require.Equal(t, formatCounts(want), psql("select code, count(*) from bp group by 1 order by 1"), "the custom view sees the new data")
	require.Equal(t, "23", psql("select count(*) from patient"), "and so do the default views")
	deletes, err := filepath.Glob(filepath.Join(data, "stores", "demo", "views", "bp.*.deletes.parquet"))
	require.NoError(t, err)
	require.Len(t, deletes, 1, "a few new patients are an incremental refresh: one new generation")

	// Again: nothing changes, nothing is refreshed.
	stdout, stderr, err = importCmd(gen2)
	require.NoError(t, err, stderr)
	require.Regexp(t, `(?m)^\s+Patient\s+3\s+0\s+0\s+3\s*$`, stdout)
	require.Equal(t, "23", psql("select count(*) from patient"))

	// Bad records are reported by file and line; the good ones load.
	bad := filepath.Join(dir, "bad.ndjson")
	require.NoError(t, os.WriteFile(bad, []byte(`{"resourceType":"Patient","id":"late","gender":"female"}
{"resourceType":"Patient","id":"broken",
{"resourceType":"Nonsense","id":"x"}
`), 0o600))
	stdout, stderr, err = importCmd(bad)
	var rejected *rejectedError // completed with errors: exit status 3
	require.ErrorAs(t, err, &rejected, stderr)
	require.Contains(t, stderr, "rejected: "+bad+":2:")
	require.Contains(t, stderr, "rejected: "+bad+":3:")
	require.Contains(t, stdout, "rejected: 2")
	require.Equal(t, "1", psql("select count(*) from patient where id = 'late'"))

	// A path the server cannot find is refused as a whole.
	_, _, err = importCmd(filepath.Join(dir, "nosuch.ndjson"))
	require.ErrorContains(t, err, "400")
	require.ErrorContains(t, err, "nosuch.ndjson")
	require.NoError(t, srv.stop())

	// Without the server, the import runs locally again.
	_, stderr, err = importCmd(bad)
	require.ErrorAs(t, err, &rejected, stderr)
	require.NotContains(t, stderr, "handing")
}
