package jobs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func wait(t *testing.T, m *Manager, j Job) Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := m.Wait(ctx, j.Datastore, j.ID)
	require.NoError(t, err)
	return got
}

func TestImportJobs(t *testing.T) {
	l := newLake(t)
	in := t.TempDir()
	good := writeFile(t, in, "good.ndjson",
		`{"resourceType":"Patient","id":"p1"}`,
		`{"resourceType":"Patient","id":"p2"}`,
		`{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}}`)
	bad := writeFile(t, in, "bad.ndjson",
		`{"resourceType":"Patient","id":"p3"}`,
		`{"resourceType":"Patient","id":"p4"`,
		`{"id":"nope"}`,
		`{"resourceType":"Patient","id":"p5"}`)
	m, err := Open(l.options(l.importRunner))
	require.NoError(t, err)
	defer m.Close()

	for _, tc := range []struct {
		name        string
		inputs      []string
		state       State
		byType      map[string]Counts
		rejected    int
		reportLines []string // locations
	}{
		{"clean", []string{good}, Completed,
			map[string]Counts{"Patient": {Created: 2}, "Observation": {Created: 1}}, 0, nil},
		{"again is a no-op", []string{good}, Completed,
			map[string]Counts{"Patient": {Unchanged: 2}, "Observation": {Unchanged: 1}}, 0, nil},
		{"bad lines", []string{bad}, CompletedWithErrors,
			map[string]Counts{"Patient": {Created: 2}}, 2, []string{bad + ":2", bad + ":3"}},
		{"missing input", []string{filepath.Join(in, "none.ndjson")}, Failed, nil, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := m.Submit("demo", tc.inputs, Job{})
			require.NoError(t, err)
			require.True(t, ValidID(j.ID), j.ID)
			require.Equal(t, Queued, j.State)
			j = wait(t, m, j)
			require.Equal(t, tc.state, j.State, j.Error)
			require.Equal(t, 1, j.Runs)
			require.Equal(t, tc.rejected, j.Progress.Rejected)
			if tc.state == Failed {
				require.Contains(t, j.Error, "none.ndjson")
				return
			}
			require.Equal(t, tc.byType, j.Progress.ByType)
			fi, err := os.Stat(tc.inputs[0])
			require.NoError(t, err)
			require.Equal(t, fi.Size(), j.Progress.BytesRead)
			require.Equal(t, fi.Size(), j.Progress.BytesTotal)
			require.False(t, j.Finished.Before(j.Started))

			// job.json holds what Get says, and survives in the folder.
			onDisk, err := Get(filepath.Join(l.dir, "demo"), j.ID)
			require.NoError(t, err)
			require.Equal(t, j.State, onDisk.State)
			require.Equal(t, j.Progress, onDisk.Progress)

			require.Equal(t, tc.reportLines, reportLocations(t, j.ErrorReport))
		})
	}
	listed, err := List(filepath.Join(l.dir, "demo"))
	require.NoError(t, err)
	require.Len(t, listed, 4)
	require.Equal(t, m.List("demo")[3].ID, listed[3].ID)
	require.Empty(t, m.List("other"))
	_, err = m.Get("demo", "20260101t000000-00000000")
	require.ErrorIs(t, err, ErrNotFound)
}

// reportLocations reads an error report and returns the location of
// each line, checking its shape.
func reportLocations(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var oo reportLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &oo))
		require.Equal(t, "OperationOutcome", oo.ResourceType)
		require.Len(t, oo.Issue, 1)
		require.NotEmpty(t, oo.Issue[0].Diagnostics)
		require.Len(t, oo.Issue[0].Extension, 1, sc.Text())
		require.Equal(t, FragmentExtension, oo.Issue[0].Extension[0].URL)
		require.NotEmpty(t, oo.Issue[0].Extension[0].ValueString)
		out = append(out, oo.Issue[0].Location...)
	}
	require.NoError(t, sc.Err())
	return out
}

func TestCancel(t *testing.T) {
	l := newLake(t)
	started := make(chan string, 4)
	m, err := Open(l.options(blockingRunner(started)))
	require.NoError(t, err)
	defer m.Close()

	first, err := m.Submit("demo", []string{"/a"}, Job{})
	require.NoError(t, err)
	second, err := m.Submit("demo", []string{"/b"}, Job{})
	require.NoError(t, err)
	require.Equal(t, first.ID, <-started)

	// The second waits behind the first: jobs of a data store run one at
	// a time. Cancelled while queued, it never runs.
	j, err := m.Get("demo", second.ID)
	require.NoError(t, err)
	require.Equal(t, Queued, j.State)
	j, err = m.Cancel("demo", second.ID)
	require.NoError(t, err)
	require.Equal(t, Cancelled, j.State)

	_, err = m.Cancel("demo", first.ID)
	require.NoError(t, err)
	j = wait(t, m, first)
	require.Equal(t, Cancelled, j.State)
	_, err = m.Cancel("demo", first.ID)
	require.ErrorIs(t, err, ErrFinished)

	third, err := m.Submit("demo", []string{"/c"}, Job{})
	require.NoError(t, err)
	require.Equal(t, third.ID, <-started, "the cancelled second job was skipped")
	select {
	case id := <-started:
		t.Fatalf("job %s started too", id)
	default:
	}
	onDisk, err := Get(filepath.Join(l.dir, "demo"), second.ID)
	require.NoError(t, err)
	require.Equal(t, Cancelled, onDisk.State)

	// Closing wakes the waiters of queued jobs; closing twice and
	// cancelling after closing are safe.
	fourth, err := m.Submit("demo", []string{"/d"}, Job{})
	require.NoError(t, err)
	require.NoError(t, m.Close())
	require.NoError(t, m.Close())
	j = wait(t, m, fourth)
	require.Equal(t, Queued, j.State, "left queued, for the next process")
	j, err = m.Cancel("demo", fourth.ID)
	require.NoError(t, err)
	require.Equal(t, Cancelled, j.State)
	j = wait(t, m, third)
	require.Equal(t, Interrupted, j.State)
}

func TestRestartResumes(t *testing.T) {
	l := newLake(t)
	in := t.TempDir()
	file := writeFile(t, in, "p.ndjson", `{"resourceType":"Patient","id":"p1"}`)
	started := make(chan string, 4)
	m, err := Open(l.options(blockingRunner(started)))
	require.NoError(t, err)
	running, err := m.Submit("demo", []string{file}, Job{})
	require.NoError(t, err)
	queued, err := m.Submit("demo", []string{file}, Job{})
	require.NoError(t, err)
	<-started
	require.NoError(t, m.Close())
	j, err := Get(filepath.Join(l.dir, "demo"), running.ID)
	require.NoError(t, err)
	require.Equal(t, Interrupted, j.State, "a job stopped by Close")
	j, err = Get(filepath.Join(l.dir, "demo"), queued.ID)
	require.NoError(t, err)
	require.Equal(t, Queued, j.State, "a job that never started stays queued on disk")

	// A damaged job record is skipped, not fatal.
	damaged := filepath.Join(l.dir, "demo", "imports", "20260101t000000-00000000")
	require.NoError(t, os.MkdirAll(damaged, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(damaged, "job.json"), []byte("{"), 0o644))
	listed, err := List(filepath.Join(l.dir, "demo"))
	require.ErrorContains(t, err, "20260101t000000-00000000")
	require.Len(t, listed, 2)

	// A new process: both are interrupted until resumed, then run again.
	var runs atomic.Int32
	opts := l.options(func(ctx context.Context, j Job, r *Run) error {
		runs.Add(1)
		return l.importRunner(ctx, j, r)
	})
	m2, err := Open(opts)
	require.NoError(t, err)
	defer m2.Close()
	for _, id := range []string{running.ID, queued.ID} {
		j, err := m2.Get("demo", id)
		require.NoError(t, err)
		require.Equal(t, Interrupted, j.State)
	}
	n, err := m2.Resume()
	require.NoError(t, err)
	require.Equal(t, 2, n)
	j = wait(t, m2, running)
	require.Equal(t, Completed, j.State)
	require.Equal(t, 2, j.Runs)
	require.Equal(t, map[string]Counts{"Patient": {Created: 1}}, j.Progress.ByType)
	j = wait(t, m2, queued)
	require.Equal(t, Completed, j.State)
	require.Equal(t, map[string]Counts{"Patient": {Unchanged: 1}}, j.Progress.ByType, "re-running is idempotent")
	require.EqualValues(t, 2, runs.Load())
}

func TestRunnerError(t *testing.T) {
	l := newLake(t)
	m, err := Open(l.options(func(_ context.Context, _ Job, r *Run) error {
		r.Skip("/in/readme.txt")
		r.Warn("view patient: 1 resource could not be flattened")
		return errors.New("disk on fire")
	}))
	require.NoError(t, err)
	defer m.Close()
	j, err := m.Submit("demo", []string{"/x"}, Job{CreatedDatastore: true})
	require.NoError(t, err)
	j = wait(t, m, j)
	require.Equal(t, Failed, j.State)
	require.Equal(t, "disk on fire", j.Error)
	require.True(t, j.CreatedDatastore)
	require.Equal(t, []string{"/in/readme.txt"}, j.Skipped)
	require.Equal(t, []string{"view patient: 1 resource could not be flattened"}, j.Warnings)
	require.NoError(t, m.Close())
	_, err = m.Submit("demo", []string{"/x"}, Job{})
	require.ErrorIs(t, err, ErrClosed)
}

func TestRates(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name               string
		job                Job
		now                time.Time
		recPerSec, eta     float64
		wantBytesPerSecond float64
	}{
		{"not started", Job{State: Queued}, t0, 0, 0, 0},
		{"running", Job{State: Running, Started: t0, Progress: Progress{Records: 100, BytesRead: 1000, BytesTotal: 4000}},
			t0.Add(10 * time.Second), 10, 30, 100},
		{"running, nothing read", Job{State: Running, Started: t0, Progress: Progress{BytesTotal: 4000}},
			t0.Add(10 * time.Second), 0, 0, 0},
		{"finished", Job{State: Completed, Started: t0, Finished: t0.Add(4 * time.Second), Progress: Progress{Records: 100, BytesRead: 4000, BytesTotal: 4000}},
			t0.Add(time.Hour), 25, 0, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.job.Rates(tc.now)
			require.InDelta(t, tc.recPerSec, got.RecordsPerSecond, 1e-9)
			require.InDelta(t, tc.wantBytesPerSecond, got.BytesPerSecond, 1e-9)
			require.InDelta(t, tc.eta, got.ETASeconds, 1e-9)
		})
	}
}
