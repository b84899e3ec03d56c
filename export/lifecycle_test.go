package export

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

// gate is a Source whose Scan blocks before the after-th resource of a
// scan until release is closed or the context is cancelled.
type gate struct {
	Source
	after   int
	reached chan struct{} // closed when a scan first blocks
	release chan struct{}
	once    sync.Once
}

func newGate(src Source, after int) *gate {
	return &gate{Source: src, after: after, reached: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) Scan(ctx context.Context, typ string, fn func(store.Resource) error) error {
	n := 0
	return g.Source.Scan(ctx, typ, func(r store.Resource) error {
		if n++; n == g.after {
			g.once.Do(func() { close(g.reached) })
			select {
			case <-g.release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return fn(r)
	})
}

// waitFor waits for ch to close.
func waitFor(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatal("timed out")
	}
}

// jobDir returns the folder of the job of a status URL.
func (e *env) jobDir(status string) string {
	return filepath.Join(e.dir, "exports", status[strings.LastIndexByte(status, '/')+1:])
}

// TestCancel deletes a running job: it stops, and its files are removed.
func TestCancel(t *testing.T) {
	st, dir, _ := syntheaStore(t)
	g := newGate(st, 20)
	e := serve(t, dir, g, Options{PartSize: 5})

	status := e.kickoff("/fhir/main/$export?_type=Condition")
	waitFor(t, g.reached)
	resp, _ := e.do(http.MethodGet, status, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	require.Equal(t, "exporting Condition (type 1 of 1), 19 resources written", resp.Header.Get("X-Progress"))
	require.Equal(t, "2", resp.Header.Get("Retry-After"))
	parts, err := filepath.Glob(filepath.Join(e.jobDir(status), "Condition.*.ndjson"))
	require.NoError(t, err)
	require.Len(t, parts, 3, "completed parts are renamed as they are written")

	resp, body := e.do(http.MethodDelete, status, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
	_, err = os.Stat(e.jobDir(status))
	require.ErrorIs(t, err, os.ErrNotExist)
	resp, body = e.do(http.MethodGet, status, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	outcome(t, resp, body)
	resp, _ = e.do(http.MethodDelete, status, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestDeleteFinished removes a complete job and its files.
func TestDeleteFinished(t *testing.T) {
	st, dir := newStore(t, nil)
	put(t, st, `{"resourceType":"Patient","id":"p"}`)
	e := serve(t, dir, st, Options{})
	status := e.kickoff("/fhir/main/$export")
	resp, _ := e.wait(status)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = e.do(http.MethodDelete, status, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	_, err := os.Stat(e.jobDir(status))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestRestart serves a finished job from a new Manager on the same folder,
// and reports jobs cut short by Close or a crash as failed.
func TestRestart(t *testing.T) {
	st, dir, _ := syntheaStore(t)
	g := newGate(st, 10)
	close(g.release)
	e := serve(t, dir, g, Options{})
	done := e.kickoff("/fhir/main/$export?_type=Patient,Encounter")
	resp, before := e.wait(done)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// A job running at Close.
	g2 := newGate(st, 10)
	e.src = g2
	stopped := e.kickoff("/fhir/main/$export?_type=Encounter")
	waitFor(t, g2.reached)

	// A job folder left by a crash mid-export.
	crashed := filepath.Join(dir, "exports", newJobID())
	require.NoError(t, os.MkdirAll(crashed, 0o700))
	require.NoError(t, writeRecord(crashed, record{ID: filepath.Base(crashed), Datastore: testDS, Base: "http://x/fhir/main", State: stateRunning}))
	require.NoError(t, os.WriteFile(filepath.Join(crashed, "Patient.000.ndjson.tmp"), []byte("{}\n"), 0o600))
	// And a stray folder without a record.
	stray := filepath.Join(dir, "exports", newJobID())
	require.NoError(t, os.MkdirAll(stray, 0o700))

	e.src = st
	e.restart(Options{})
	// The first request after the restart is a kick-off: the new job is
	// not mistaken for an interrupted one.
	require.Equal(t, map[string]int{"Patient": 13}, counts(e.export("/fhir/main/$export?_type=Patient")))
	resp, after := e.do(http.MethodGet, done, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.JSONEq(t, string(before), string(after))
	var total int
	for _, ls := range e.lines(decodeManifest(t, after)) {
		total += len(ls)
	}
	require.Equal(t, 13+1215, total)

	resp, body := e.do(http.MethodGet, stopped, nil)
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode, string(body))
	_, diag := outcome(t, resp, body)
	require.Contains(t, diag, "shut down")
	files, err := os.ReadDir(e.jobDir(stopped))
	require.NoError(t, err)
	require.Len(t, files, 1, "only job.json is left")

	resp, body = e.do(http.MethodGet, e.srv.URL+"/fhir/main/$export-status/"+filepath.Base(crashed), nil)
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode, string(body))
	_, diag = outcome(t, resp, body)
	require.Contains(t, diag, "interrupted")
	_, err = os.Stat(filepath.Join(crashed, "Patient.000.ndjson.tmp"))
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = os.Stat(stray)
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestQueue bounds running and pending jobs.
func TestQueue(t *testing.T) {
	st, dir, _ := syntheaStore(t)
	g := newGate(st, 1)
	e := serve(t, dir, g, Options{MaxRunning: 1, MaxPending: 2})

	first := e.kickoff("/fhir/main/$export?_type=Patient")
	waitFor(t, g.reached)
	second := e.kickoff("/fhir/main/$export?_type=Patient")
	resp, _ := e.do(http.MethodGet, second, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	require.Equal(t, "queued", resp.Header.Get("X-Progress"))

	resp, body := e.do(http.MethodGet, "/fhir/main/$export", nil)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
	code, _ := outcome(t, resp, body)
	require.Equal(t, "too-costly", code)

	close(g.release)
	for _, status := range []string{first, second} {
		resp, body := e.wait(status)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.Equal(t, map[string]int{"Patient": 13}, counts(decodeManifest(t, body)))
	}
	e.kickoff("/fhir/main/$export?_type=Patient") // room again
}

// TestExpiry deletes finished jobs after the retention time.
func TestExpiry(t *testing.T) {
	st, dir := newStore(t, nil)
	put(t, st, `{"resourceType":"Patient","id":"p"}`)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	e := serve(t, dir, st, Options{Retention: time.Hour, Now: clock})

	status := e.kickoff("/fhir/main/$export")
	resp, _ := e.wait(status)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	exp, err := http.ParseTime(resp.Header.Get("Expires"))
	require.NoError(t, err)
	require.WithinDuration(t, clock().Add(time.Hour), exp, 2*time.Second)

	now.Add(int64(59 * time.Minute))
	resp, _ = e.do(http.MethodGet, status, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	now.Add(int64(2 * time.Minute))
	resp, _ = e.do(http.MethodGet, status, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	_, err = os.Stat(e.jobDir(status))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// failing is a Source whose Scan fails after some resources.
type failing struct{ Source }

func (f failing) Scan(ctx context.Context, typ string, fn func(store.Resource) error) error {
	n := 0
	err := f.Source.Scan(ctx, typ, func(r store.Resource) error {
		if n++; n > 3 {
			return errors.New("disk on fire")
		}
		return fn(r)
	})
	return err
}

// TestFailedJob reports a failed export as 500 without revealing the
// cause, and keeps no files.
func TestFailedJob(t *testing.T) {
	st, dir, _ := syntheaStore(t)
	e := serve(t, dir, failing{st}, Options{PartSize: 2})
	status := e.kickoff("/fhir/main/$export")
	resp, body := e.wait(status)
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	code, diag := outcome(t, resp, body)
	require.Equal(t, "exception", code)
	require.NotContains(t, diag, "fire")
	files, err := os.ReadDir(e.jobDir(status))
	require.NoError(t, err)
	require.Len(t, files, 1)
}
