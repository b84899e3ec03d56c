package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/jobs"
	"github.com/stretchr/testify/require"
)

// TestImportJobs imports generated data with a few bad lines through a
// running server: the job completes with errors (exit status 3), its
// error report names file:line with the offending fragment, and `import
// list` and `import status` show it, through the server and, once it has
// stopped, from the job files.
func TestImportJobs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "5", "--seed", "3", "--out", gen}, &out, &out), out.String())
	bad := filepath.Join(dir, "bad.ndjson")
	require.NoError(t, os.WriteFile(bad, []byte(`{"resourceType":"Patient","id":"late"}
{"resourceType":"Patient","id":"broken",
{"resourceType":"Nonsense","id":"x"}
{"resourceType":"Patient","id":"later"}
`), 0o600))
	cli := func(args ...string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		err := run(ctx, args, &stdout, &stderr)
		return stdout.String(), stderr.String(), err
	}

	srv := startServe(t, "--data", data)
	stdout, stderr, err := cli("import", "--data", data, "--datastore", "jobs", gen, bad)
	var rejected *rejectedError
	require.ErrorAs(t, err, &rejected, stderr)
	require.Equal(t, exitRejected, rejected.ExitCode())
	require.Contains(t, stderr, "handing the import to it at http://"+srv.httpAddr)
	require.Contains(t, stdout, "created data store jobs")
	require.Contains(t, stderr, "rejected: "+bad+":2:")
	require.Contains(t, stderr, "rejected: "+bad+":3:")
	require.Contains(t, stdout, "rejected: 2")
	require.Regexp(t, `(?m)^\s+Patient\s+7\s+7\s+0\s+0\s*$`, stdout, "5 generated and 2 good lines of bad.ndjson")
	j := rejected.job
	require.Equal(t, jobs.CompletedWithErrors, j.State)
	require.Contains(t, stderr, "error report: "+j.ErrorReport)
	require.Equal(t, filepath.Join(data, "stores", "jobs", "imports", j.ID, "errors.ndjson"), j.ErrorReport)

	type issue struct {
		Diagnostics string   `json:"diagnostics"`
		Location    []string `json:"location"`
		Extension   []struct {
			ValueString string `json:"valueString"`
		} `json:"extension"`
	}
	var issues []issue
	f := openReport(t, j.ErrorReport)
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var oo struct{ Issue []issue }
		require.NoError(t, json.Unmarshal(sc.Bytes(), &oo))
		issues = append(issues, oo.Issue...)
	}
	require.Len(t, issues, 2)
	require.Equal(t, []string{bad + ":2"}, issues[0].Location)
	require.Equal(t, `{"resourceType":"Patient","id":"broken",`, issues[0].Extension[0].ValueString)
	require.Equal(t, []string{bad + ":3"}, issues[1].Location)
	require.Contains(t, issues[1].Diagnostics, "Nonsense")

	stdout, _, err = cli("import", "list", "--data", data, "--datastore", "jobs")
	require.NoError(t, err)
	require.Regexp(t, regexp.QuoteMeta(j.ID)+`\s+completed-with-errors\s+.*\s+`+regexp.QuoteMeta(strconv.Itoa(j.Progress.Records))+`\s+2\s+`, stdout)
	stdout, _, err = cli("import", "status", "--data", data, "--datastore", "jobs", j.ID)
	require.NoError(t, err)
	require.Contains(t, stdout, "state:      completed-with-errors")
	require.Contains(t, stdout, "resources:  "+strconv.Itoa(j.Progress.Records)+" (")
	require.Regexp(t, `(?m)^\s+Patient\s+7\s+7\s+0\s+0\s*$`, stdout)
	require.Contains(t, stdout, "rejected: 2")
	_, _, err = cli("import", "cancel", "--data", data, "--datastore", "jobs", j.ID)
	require.ErrorContains(t, err, "409")
	_, _, err = cli("import", "status", "--data", data, "--datastore", "jobs", "20260101t000000-00000000")
	require.ErrorContains(t, err, "404")

	// Again, clean: idempotent, and exit status 0.
	stdout, stderr, err = cli("import", "--data", data, "--datastore", "jobs", gen)
	require.NoError(t, err, stderr)
	require.Regexp(t, `(?m)^\s+Patient\s+5\s+0\s+0\s+5\s*$`, stdout)
	require.NoError(t, srv.stop())

	// Without a server: the import runs here as a job too, and list and
	// status read the job files.
	stdout, stderr, err = cli("import", "--data", data, "--datastore", "jobs", bad)
	require.ErrorAs(t, err, &rejected, stderr)
	require.NotContains(t, stderr, "handing")
	require.Contains(t, stderr, "rejected: "+bad+":2:")
	require.Regexp(t, `(?m)^\s+Patient\s+2\s+0\s+0\s+2\s*$`, stdout)
	stdout, _, err = cli("import", "list", "--data", data, "--datastore", "jobs")
	require.NoError(t, err)
	require.Equal(t, 4, strings.Count(stdout, "\n"), stdout) // a header and three jobs
	require.Contains(t, stdout, j.ID)
	stdout, _, err = cli("import", "status", "--data", data, "--datastore", "jobs", rejected.job.ID)
	require.NoError(t, err)
	require.Contains(t, stdout, "state:      completed-with-errors")
	_, _, err = cli("import", "status", "--data", data, "--datastore", "jobs")
	var ue *usageError
	require.True(t, errors.As(err, &ue), "status needs an ID")
}

func TestProgressLine(t *testing.T) {
	for _, tc := range []struct {
		job  jobs.Job
		want string
	}{
		{jobs.Job{ID: "j1", Progress: jobs.Progress{BytesRead: 5e6, BytesTotal: 20e6, Records: 1000, Rejected: 2}, RecordsPerSecond: 500, ETASeconds: 6},
			"import j1: 25% of 20.0 MB, 1000 resources (500/s), 2 rejected, ETA 6s"},
		{jobs.Job{ID: "j2"}, "import j2: 0% of 0.0 MB, 0 resources (0/s), 0 rejected"},
		{jobs.Job{ID: "j4", State: jobs.Running, Progress: jobs.Progress{Files: 2, FilesTotal: 2, BytesRead: 1e6, BytesTotal: 1e6, Records: 10}},
			"import j4: 100% of 1.0 MB, 10 resources (0/s), 0 rejected; all files read, refreshing the views"},
	} {
		require.Equal(t, tc.want, progressLine(tc.job))
	}
	var b bytes.Buffer
	pp := &plainProgress{w: &b, every: 0}
	running := jobs.Job{ID: "j3", State: jobs.Running}
	pp.update(running)
	require.Empty(t, b.String(), "the first line comes after one period")
	pp.update(running)
	pp.update(jobs.Job{ID: "j3", State: jobs.Completed})
	require.Equal(t, progressLine(running)+"\n", b.String())
	_, isPlain := newProgress(&b).(*plainProgress)
	require.True(t, isPlain, "a buffer is no terminal")
}

// TestServerImporterResumes starts the server's importer over a data
// folder whose last server died while a job ran: the job is run again
// from the start, and its resources load.
func TestServerImporterResumes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := openLake(filepath.Join(dir, "data"), "test")
	require.NoError(t, err)
	defer l.Close()
	_, err = l.ensureDatastore(ctx, "demo")
	require.NoError(t, err)
	in := filepath.Join(dir, "p.ndjson")
	require.NoError(t, os.WriteFile(in, []byte(`{"resourceType":"Patient","id":"p1"}`+"\n"), 0o600))
	const id = "20261128t120000-0badc0de"
	jobDir := filepath.Join(l.cat.DatastoreDir("demo"), "imports", id)
	require.NoError(t, os.MkdirAll(jobDir, 0o755))
	crashed, err := json.Marshal(jobs.Job{ID: id, Datastore: "demo", Inputs: []string{in}, State: jobs.Running, Runs: 1,
		ErrorReport: filepath.Join(jobDir, "errors.ndjson")})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(jobDir, "job.json"), crashed, 0o600))

	s := &serverImporter{l: l, views: newViewStore(l, nil)}
	require.NoError(t, s.start())
	defer s.Close()
	require.Eventually(t, func() bool {
		j, err := s.ImportJob("demo", id)
		return err == nil && j.State.Final()
	}, 30*time.Second, 10*time.Millisecond)
	j, err := s.ImportJob("demo", id)
	require.NoError(t, err)
	require.Equal(t, jobs.Completed, j.State, j.Error)
	require.Equal(t, 2, j.Runs)
	st, err := l.store("demo")
	require.NoError(t, err)
	_, err = st.Read(ctx, "Patient", "p1")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = s.StartImport(ctx, "demo", []string{in})
	require.ErrorIs(t, err, jobs.ErrClosed)
}
