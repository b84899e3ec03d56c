package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/jobs"
	"github.com/stretchr/testify/require"
)

// managerJobs serves ImportJobs with a real jobs.Manager whose runner
// pretends to import: "/in/bad.ndjson" has one bad line, "/in/slow"
// runs until cancelled.
type managerJobs struct {
	importerFunc
	m *jobs.Manager
}

func (mj managerJobs) StartImport(_ context.Context, ds string, inputs []string) (jobs.Job, error) {
	if ds == "Nope" {
		return jobs.Job{}, fmt.Errorf("%w: invalid data store name", ErrBadImport)
	}
	return mj.m.Submit(ds, inputs, jobs.Job{})
}
func (mj managerJobs) ImportJob(ds, id string) (jobs.Job, error)    { return mj.m.Get(ds, id) }
func (mj managerJobs) ImportJobs(ds string) ([]jobs.Job, error)     { return mj.m.List(ds), nil }
func (mj managerJobs) CancelImport(ds, id string) (jobs.Job, error) { return mj.m.Cancel(ds, id) }

func fakeRun(ctx context.Context, j jobs.Job, run *jobs.Run) error {
	for _, in := range j.Inputs {
		if in == "/in/slow" {
			run.Progress(jobs.Progress{FilesTotal: 1, BytesTotal: 1000, BytesRead: 250, Records: 10})
			<-ctx.Done()
			return ctx.Err()
		}
		if strings.HasSuffix(in, "bad.ndjson") {
			run.Reject(jobs.Reject{Source: in, Line: 2, Reason: "invalid JSON", Fragment: `{"resourceType":`})
		}
	}
	run.Progress(jobs.Progress{Files: 1, FilesTotal: 1, Records: 3, ByType: map[string]jobs.Counts{"Patient": {Created: 3}}})
	return nil
}

func newJobsHandler(t *testing.T) http.Handler {
	dir := t.TempDir()
	m, err := jobs.Open(jobs.Options{
		Dir:        func(ds string) string { return filepath.Join(dir, ds) },
		Datastores: func() ([]string, error) { return nil, nil },
		Run:        fakeRun,
	})
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	sync := importerFunc(func(context.Context, string, []string) (ImportResult, error) {
		return ImportResult{}, errors.New("not this one")
	})
	return NewHandler(nil, Options{Importer: managerJobs{importerFunc: sync, m: m}})
}

// jobCall sends a request from the loopback address, unless remote.
func jobCall(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = "127.0.0.1:40000"
	h.ServeHTTP(rec, req)
	return rec
}

// until polls the job at path until its state is final.
func until(t *testing.T, h http.Handler, path string) jobs.Job {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec := jobCall(h, "GET", path, "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var j jobs.Job
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &j))
		if j.State.Final() {
			return j
		}
		require.True(t, time.Now().Before(deadline), "job still %s", j.State)
		time.Sleep(5 * time.Millisecond)
	}
}

func TestImportJobsAPI(t *testing.T) {
	h := newJobsHandler(t)

	rec := jobCall(h, "POST", "/datastores/demo/imports", `{"inputs":["/in/bad.ndjson","file:///in/x.ndjson"]}`)
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	loc := rec.Header().Get("Location")
	require.True(t, strings.HasPrefix(loc, "/datastores/demo/imports/"), loc)
	var j jobs.Job
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &j))
	require.Equal(t, []string{"/in/bad.ndjson", "/in/x.ndjson"}, j.Inputs)

	j = until(t, h, loc)
	require.Equal(t, jobs.CompletedWithErrors, j.State)
	require.Equal(t, 1, j.Progress.Rejected)
	rec = jobCall(h, "GET", loc+"/errors", "")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "application/fhir+ndjson", rec.Header().Get("Content-Type"))
	require.Contains(t, rec.Body.String(), `"location":["/in/bad.ndjson:2"]`)

	rec = jobCall(h, "GET", "/datastores/demo/imports", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var list ImportJobList
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
	require.Len(t, list.Jobs, 1)
	require.Equal(t, j.ID, list.Jobs[0].ID)

	// Cancel a running job: 202, then it ends cancelled; a second cancel
	// is a conflict.
	rec = jobCall(h, "POST", "/datastores/demo/imports", `{"inputs":["/in/slow"]}`)
	require.Equal(t, http.StatusAccepted, rec.Code)
	slow := rec.Header().Get("Location")
	require.Eventually(t, func() bool {
		return strings.Contains(jobCall(h, "GET", slow, "").Body.String(), `"state":"running"`)
	}, 10*time.Second, 5*time.Millisecond)
	rec = jobCall(h, "DELETE", slow, "")
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	require.Equal(t, jobs.Cancelled, until(t, h, slow).State)
	rec = jobCall(h, "DELETE", slow, "")
	require.Equal(t, http.StatusConflict, rec.Code)

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"no inputs", "POST", "/datastores/demo/imports", `{"inputs":[]}`, 400, "no inputs"},
		{"relative path", "POST", "/datastores/demo/imports", `{"inputs":["x.ndjson"]}`, 400, "not an absolute path"},
		{"not JSON", "POST", "/datastores/demo/imports", `inputs`, 400, "the body must be"},
		{"bad data store", "POST", "/datastores/Nope/imports", `{"inputs":["/in/x.ndjson"]}`, 400, "invalid data store name"},
		{"unknown job", "GET", "/datastores/demo/imports/20260101t000000-00000000", "", 404, "no import job"},
		{"unknown job errors", "GET", "/datastores/demo/imports/x/errors", "", 404, "no import job"},
		{"cancel unknown", "DELETE", "/datastores/demo/imports/x", "", 404, "no import job"},
		{"method", "PUT", "/datastores/demo/imports", "", 405, "GET or POST"},
		{"empty list", "GET", "/datastores/other/imports", "", 200, `{"jobs":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := jobCall(h, tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			require.Contains(t, rec.Body.String(), tc.want)
		})
	}

	remote := httptest.NewRequest("GET", "/datastores/demo/imports", nil)
	remote.RemoteAddr = "192.0.2.7:40000"
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, remote)
	require.Equal(t, http.StatusForbidden, rec.Code)
}

func TestBulkImport(t *testing.T) {
	h := newJobsHandler(t)
	const kickoff = `{"resourceType":"Parameters","parameter":[
		{"name":"inputFormat","valueString":"application/fhir+ndjson"},
		{"name":"inputSource","valueUri":"https://example.org/source"},
		{"name":"storageDetail","part":[{"name":"type","valueCode":"https"}]},
		{"name":"input","part":[{"name":"type","valueCode":"Patient"},{"name":"url","valueUrl":"file:///in/bad.ndjson"}]},
		{"name":"input","part":[{"name":"type","valueCode":"Observation"},{"name":"url","valueUrl":"/in/obs.ndjson"}]}]}`
	rec := jobCall(h, "POST", "/fhir/demo/$import", kickoff)
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	status := rec.Header().Get("Content-Location")
	require.True(t, strings.HasPrefix(status, "http://example.com/fhir/demo/$import-status/"), status)
	path := strings.TrimPrefix(status, "http://example.com")

	require.Eventually(t, func() bool { return jobCall(h, "GET", path, "").Code == http.StatusOK }, 10*time.Second, 5*time.Millisecond)
	rec = jobCall(h, "GET", path, "")
	require.Contains(t, rec.Body.String(), `"severity":"warning"`)
	require.Contains(t, rec.Body.String(), "completed-with-errors: 3 resources loaded, 1 rejected")
	require.Contains(t, rec.Body.String(), "/errors")

	// While it runs, the status is 202 with X-Progress.
	rec = jobCall(h, "POST", "/fhir/demo/$import", `{"resourceType":"Parameters","parameter":[{"name":"input","part":[{"name":"url","valueUri":"/in/slow"}]}]}`)
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	path = strings.TrimPrefix(rec.Header().Get("Content-Location"), "http://example.com")
	require.Eventually(t, func() bool {
		return jobCall(h, "GET", path, "").Header().Get("X-Progress") == "running: 25% of 0.0 MB, 10 resources, 0 rejected"
	}, 10*time.Second, 5*time.Millisecond)
	require.Equal(t, http.StatusAccepted, jobCall(h, "GET", path, "").Code)
	require.Equal(t, http.StatusAccepted, jobCall(h, "DELETE", path, "").Code)
	require.Eventually(t, func() bool { return jobCall(h, "GET", path, "").Code == http.StatusOK }, 10*time.Second, 5*time.Millisecond)
	require.Contains(t, jobCall(h, "GET", path, "").Body.String(), "cancelled")

	for _, tc := range []struct{ name, body, want string }{
		{"format", `{"resourceType":"Parameters","parameter":[{"name":"inputFormat","valueString":"text/csv"},{"name":"input","part":[{"name":"url","valueUrl":"/a.ndjson"}]}]}`, "inputFormat"},
		{"no url", `{"resourceType":"Parameters","parameter":[{"name":"input","part":[{"name":"type","valueCode":"Patient"}]}]}`, "no url part"},
		{"no input", `{"resourceType":"Parameters","parameter":[]}`, "no input parameter"},
		{"unknown", `{"resourceType":"Parameters","parameter":[{"name":"since"}]}`, "unknown parameter"},
		{"not parameters", `{"resourceType":"Bundle"}`, "must be a Parameters"},
		{"remote host", `{"resourceType":"Parameters","parameter":[{"name":"input","part":[{"name":"url","valueUrl":"file://other/a.ndjson"}]}]}`, "names host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := jobCall(h, "POST", "/fhir/demo/$import", tc.body)
			require.Equal(t, http.StatusBadRequest, rec.Code)
			require.Contains(t, rec.Body.String(), tc.want)
		})
	}
	require.Equal(t, http.StatusMethodNotAllowed, jobCall(h, "GET", "/fhir/demo/$import", "").Code)
	require.Equal(t, http.StatusNotFound, jobCall(h, "GET", "/fhir/demo/$import-status/nope", "").Code)
}
