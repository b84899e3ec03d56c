package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

// testDS is the data store name the tests serve.
const testDS = "main"

// env is a Manager serving one store over httptest.
type env struct {
	t   testing.TB
	dir string // the data store folder
	m   *Manager
	srv *httptest.Server
	src Source
}

// newStore opens an empty store in a temporary folder with clock now (nil:
// time.Now).
func newStore(t testing.TB, now func() time.Time) (*store.Store, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "store.db"), store.Options{NoSync: true, Now: now})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st, dir
}

// serve starts a Manager for src over dir; Close runs at cleanup.
func serve(t testing.TB, dir string, src Source, opts Options) *env {
	t.Helper()
	e := &env{t: t, dir: dir, src: src}
	e.start(opts, "127.0.0.1:0")
	return e
}

// start (re)starts the manager and a server listening on addr.
func (e *env) start(opts Options, addr string) {
	e.m = NewManager(func(ds string) string { return e.dir }, opts)
	mux := http.NewServeMux()
	e.m.Routes(mux, func(ds string) (Source, bool) { return e.src, ds == testDS })
	l, err := net.Listen("tcp", addr)
	require.NoError(e.t, err)
	e.srv = httptest.NewUnstartedServer(mux)
	e.srv.Listener = l
	e.srv.Start()
	m, srv := e.m, e.srv
	e.t.Cleanup(func() {
		srv.Close()
		require.NoError(e.t, m.Close())
	})
}

// restart closes the manager and starts a new one on the same folder and
// address, so that URLs handed out before stay valid.
func (e *env) restart(opts Options) {
	addr := e.srv.Listener.Addr().String()
	e.srv.Close()
	require.NoError(e.t, e.m.Close())
	e.start(opts, addr)
}

// do sends a request and returns the response with its body read.
func (e *env) do(method, path string, body io.Reader, header ...string) (*http.Response, []byte) {
	e.t.Helper()
	url := path
	if !strings.HasPrefix(path, "http") {
		url = e.srv.URL + path
	}
	req, err := http.NewRequest(method, url, body)
	require.NoError(e.t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp, b
}

// kickoff starts an export with the spec's headers and returns the status
// URL.
func (e *env) kickoff(path string) string {
	e.t.Helper()
	resp, body := e.do(http.MethodGet, path, nil, "Accept", "application/fhir+json", "Prefer", "respond-async")
	require.Equal(e.t, http.StatusAccepted, resp.StatusCode, string(body))
	loc := resp.Header.Get("Content-Location")
	require.True(e.t, strings.HasPrefix(loc, e.srv.URL+"/fhir/"+testDS+"/$export-status/"), loc)
	return loc
}

// wait polls a status URL until the job is no longer in progress and
// returns the final response.
func (e *env) wait(status string) (*http.Response, []byte) {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, body := e.do(http.MethodGet, status, nil)
		if resp.StatusCode != http.StatusAccepted {
			return resp, body
		}
		require.NotEmpty(e.t, resp.Header.Get("X-Progress"))
		require.NotEmpty(e.t, resp.Header.Get("Retry-After"))
		require.True(e.t, time.Now().Before(deadline), "export did not finish")
		time.Sleep(5 * time.Millisecond)
	}
}

// export runs an export to completion and returns its manifest.
func (e *env) export(path string) manifest {
	e.t.Helper()
	resp, body := e.wait(e.kickoff(path))
	require.Equal(e.t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(e.t, "application/json", resp.Header.Get("Content-Type"))
	var m manifest
	require.NoError(e.t, json.Unmarshal(body, &m))
	require.NotNil(e.t, m.Output)
	require.NotNil(e.t, m.Error)
	require.False(e.t, m.RequiresAccessToken)
	return m
}

// line is one parsed NDJSON line.
type line struct {
	Type, ID string
	Raw      []byte
}

// lines downloads every output file of a manifest, checks each file's
// count, and returns the lines by type.
func (e *env) lines(m manifest) map[string][]line {
	e.t.Helper()
	got := map[string][]line{}
	for _, f := range m.Output {
		ls := e.file(f.URL)
		require.Len(e.t, ls, f.Count, f.URL)
		for _, l := range ls {
			require.Equal(e.t, f.Type, l.Type, f.URL)
		}
		got[f.Type] = append(got[f.Type], ls...)
	}
	return got
}

// file downloads one NDJSON file and parses its lines.
func (e *env) file(url string) []line {
	e.t.Helper()
	resp, body := e.do(http.MethodGet, url, nil, "Accept", "application/fhir+ndjson")
	require.Equal(e.t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(e.t, "application/fhir+ndjson", resp.Header.Get("Content-Type"))
	var ls []line
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var head struct{ ResourceType, ID string }
		require.NoError(e.t, json.Unmarshal(sc.Bytes(), &head), url)
		ls = append(ls, line{head.ResourceType, head.ID, bytes.Clone(sc.Bytes())})
	}
	require.NoError(e.t, sc.Err())
	return ls
}

// counts returns the number of resources per type in a manifest.
func counts(m manifest) map[string]int {
	c := map[string]int{}
	for _, f := range m.Output {
		c[f.Type] += f.Count
	}
	return c
}

// put writes resources given as JSON strings.
func put(t testing.TB, st *store.Store, bodies ...string) {
	t.Helper()
	var in []store.Input
	for _, b := range bodies {
		var head struct{ ResourceType, ID string }
		require.NoError(t, json.Unmarshal([]byte(b), &head), b)
		in = append(in, store.Input{Type: head.ResourceType, ID: head.ID, Body: []byte(b)})
	}
	_, err := st.Put(context.Background(), in)
	require.NoError(t, err)
}

// template is a store file holding the Synthea sample, loaded once per
// test binary and copied for each test by syntheaStore.
var template struct {
	once   sync.Once
	dir    string
	counts map[string]int
	err    error
}

// TestMain removes the template store.
func TestMain(m *testing.M) {
	code := m.Run()
	if template.dir != "" {
		_ = os.RemoveAll(template.dir)
	}
	os.Exit(code)
}

// syntheaStore returns a store holding the Synthea sample (a copy of the
// template), its folder and the number of resources per type.
func syntheaStore(t testing.TB) (*store.Store, string, map[string]int) {
	t.Helper()
	sharedDir(t, filepath.Join("data", "synthea-small", "bulk-ndjson"))
	template.once.Do(func() {
		template.dir, template.err = os.MkdirTemp("", "export-template-")
		if template.err != nil {
			return
		}
		st, err := store.Open(filepath.Join(template.dir, "store.db"), store.Options{NoSync: true})
		if err != nil {
			template.err = err
			return
		}
		template.counts = loadSynthea(t, st)
		template.err = st.Close()
	})
	require.NoError(t, template.err)
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(template.dir, "store.db"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "store.db"), b, 0o600))
	st, err := store.Open(filepath.Join(dir, "store.db"), store.Options{NoSync: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st, dir, maps.Clone(template.counts)
}

// loadSynthea puts the shared Synthea sample into st and returns the
// number of resources per type.
func loadSynthea(t testing.TB, st *store.Store) map[string]int {
	t.Helper()
	dir := sharedDir(t, filepath.Join("data", "synthea-small", "bulk-ndjson"))
	files, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	want := map[string]int{}
	for _, path := range files {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		var in []store.Input
		for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			var head struct{ ResourceType, ID string }
			require.NoError(t, json.Unmarshal(l, &head))
			in = append(in, store.Input{Type: head.ResourceType, ID: head.ID, Body: l})
			want[head.ResourceType]++
		}
		_, err = st.Put(context.Background(), in)
		require.NoError(t, err)
	}
	return want
}

// outcome decodes an OperationOutcome response and checks its media type.
func outcome(t testing.TB, resp *http.Response, body []byte) (code, diagnostics string) {
	t.Helper()
	require.Equal(t, "application/fhir+json", resp.Header.Get("Content-Type"))
	var oo struct {
		ResourceType string
		Issue        []struct{ Severity, Code, Diagnostics string }
	}
	require.NoError(t, json.Unmarshal(body, &oo), string(body))
	require.Equal(t, "OperationOutcome", oo.ResourceType)
	require.NotEmpty(t, oo.Issue)
	return oo.Issue[0].Code, oo.Issue[0].Diagnostics
}

// decodeManifest parses a manifest body.
func decodeManifest(t testing.TB, body []byte) manifest {
	t.Helper()
	var m manifest
	require.NoError(t, json.Unmarshal(body, &m))
	return m
}
