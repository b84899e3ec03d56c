package api

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata")

// datastores is a fixed set of named readers.
type datastores map[string]Reader

func (d datastores) Lookup(name string) (Reader, bool) {
	r, ok := d[name]
	return r, ok
}

// readOnly hides the write methods of a store.
type readOnly struct{ s *store.Store }

func (r readOnly) Read(ctx context.Context, typ, id string) (store.Resource, error) {
	return r.s.Read(ctx, typ, id)
}

func (r readOnly) Types(ctx context.Context) ([]string, error) { return r.s.Types(ctx) }

// readerFunc adapts a function to Reader, without TypeLister.
type readerFunc func(ctx context.Context, typ, id string) (store.Resource, error)

func (f readerFunc) Read(ctx context.Context, typ, id string) (store.Resource, error) {
	return f(ctx, typ, id)
}

var (
	published = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	written   = time.Date(2026, 11, 27, 10, 11, 12, 345_000_000, time.UTC)
)

// testStore opens a store in t.TempDir holding Patient/p1 (version 2),
// Observation/o1 and the deleted Patient/gone (version 2).
func testStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "main.db"), store.Options{
		Now: func() time.Time { return written }, NoSync: true,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	_, err = s.Put(ctx, []store.Input{
		{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","id":"p1","active":true}`)},
		{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","id":"p1","meta":{"tag":[{"code":"t"}]},"name":[{"family":"Chalmers","given":["Peter"]}]}`)},
		{Type: "Observation", ID: "o1", Body: []byte(`{"resourceType":"Observation","status":"final","valueQuantity":{"value":1.50}}`)},
		{Type: "Patient", ID: "gone", Body: []byte(`{"resourceType":"Patient"}`)},
	})
	require.NoError(t, err)
	_, err = s.Delete(ctx, "Patient", "gone")
	require.NoError(t, err)
	return s
}

// newTestHandler serves the store as data store "main", and a failing
// reader as "broken".
func newTestHandler(t *testing.T, log io.Writer) http.Handler {
	s := testStore(t)
	broken := readerFunc(func(context.Context, string, string) (store.Resource, error) {
		return store.Resource{}, io.ErrUnexpectedEOF
	})
	if log == nil {
		log = io.Discard
	}
	return NewHandler(datastores{"main": s, "broken": broken, "ro": readOnly{s}}, Options{
		Software: "fhirlake", Version: "0.1.0-test",
		Logger: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    func() time.Time { return published },
	})
}

func do(h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// checkGolden compares an indented copy of the JSON body with
// testdata/name.json, rewriting it under -rewrite.
func checkGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Indent(&buf, body, "", "  "))
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name+".json")
	if *rewrite {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), buf.String())
}

// p1Body is Patient/p1 exactly as the store keeps it.
const p1Body = `{"resourceType":"Patient","id":"p1","meta":{"versionId":"2","lastUpdated":"2026-11-27T10:11:12.345Z","tag":[{"code":"t"}]},"name":[{"family":"Chalmers","given":["Peter"]}]}`

func TestRead(t *testing.T) {
	h := newTestHandler(t, nil)
	tests := []struct {
		name       string
		method     string
		target     string
		header     http.Header
		wantStatus int
		wantBody   string // exact body, or
		golden     string // the golden OperationOutcome
		wantHeader map[string]string
	}{
		{
			name: "read", method: "GET", target: "/fhir/main/Patient/p1", wantStatus: 200,
			wantBody: p1Body,
			wantHeader: map[string]string{
				"Content-Type":  "application/fhir+json; charset=utf-8",
				"ETag":          `W/"2"`,
				"Last-Modified": "Fri, 27 Nov 2026 10:11:12 GMT",
			},
		},
		{
			name: "read keeps the stored number text", method: "GET", target: "/fhir/main/Observation/o1", wantStatus: 200,
			wantBody:   `{"resourceType":"Observation","id":"o1","meta":{"versionId":"1","lastUpdated":"2026-11-27T10:11:12.345Z"},"status":"final","valueQuantity":{"value":1.50}}`,
			wantHeader: map[string]string{"ETag": `W/"1"`},
		},
		{
			name: "head", method: "HEAD", target: "/fhir/main/Patient/p1", wantStatus: 200, wantBody: "",
			wantHeader: map[string]string{"ETag": `W/"2"`, "Content-Length": strconv.Itoa(len(p1Body))},
		},
		{name: "_format=json", method: "GET", target: "/fhir/main/Observation/o1?_format=json", wantStatus: 200},
		{name: "_format=application/fhir+json", method: "GET", target: "/fhir/main/Observation/o1?_format=application%2Ffhir%2Bjson", wantStatus: 200},
		{name: "Accept application/json", method: "GET", target: "/fhir/main/Observation/o1", header: http.Header{"Accept": {"application/json"}}, wantStatus: 200},
		{name: "Accept browser", method: "GET", target: "/fhir/main/Observation/o1", header: http.Header{"Accept": {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}}, wantStatus: 200},
		{name: "_format overrides Accept", method: "GET", target: "/fhir/main/Observation/o1?_format=json", header: http.Header{"Accept": {"application/fhir+xml"}}, wantStatus: 200},
		{
			name: "unknown id", method: "GET", target: "/fhir/main/Patient/nobody", wantStatus: 404, golden: "outcome/unknown-id",
		},
		{
			name: "deleted", method: "GET", target: "/fhir/main/Patient/gone", wantStatus: 410, golden: "outcome/deleted",
			wantHeader: map[string]string{"ETag": `W/"2"`, "Last-Modified": "Fri, 27 Nov 2026 10:11:12 GMT"},
		},
		{name: "unknown type", method: "GET", target: "/fhir/main/Patients/p1", wantStatus: 404, golden: "outcome/unknown-type"},
		{name: "invalid id", method: "GET", target: "/fhir/main/Patient/p_1", wantStatus: 400, golden: "outcome/invalid-id"},
		{name: "id too long", method: "GET", target: "/fhir/main/Patient/" + strings.Repeat("a", 65), wantStatus: 400},
		{name: "escaped slash in id", method: "GET", target: "/fhir/main/Patient/a%2Fb", wantStatus: 400},
		{name: "unknown data store", method: "GET", target: "/fhir/other/Patient/p1", wantStatus: 404, golden: "outcome/unknown-datastore"},
		{
			name: "POST", method: "POST", target: "/fhir/main/Patient/p1", wantStatus: 405, golden: "outcome/method-not-allowed",
			wantHeader: map[string]string{"Allow": "GET, HEAD, PUT, PATCH, DELETE"},
		},
		{name: "PUT without a body", method: "PUT", target: "/fhir/main/Patient/p1", wantStatus: 400},
		{name: "DELETE on a read-only data store", method: "DELETE", target: "/fhir/broken/Patient/p1", wantStatus: 405},
		{name: "_format=xml", method: "GET", target: "/fhir/main/Patient/p1?_format=xml", wantStatus: 406, golden: "outcome/format-xml"},
		{name: "Accept xml", method: "GET", target: "/fhir/main/Patient/p1", header: http.Header{"Accept": {"application/fhir+xml"}}, wantStatus: 406, golden: "outcome/accept-xml"},
		{name: "Accept json with q=0", method: "GET", target: "/fhir/main/Patient/p1", header: http.Header{"Accept": {"application/json;q=0, text/plain"}}, wantStatus: 406},
		{name: "search is not served", method: "GET", target: "/fhir/main/Patient", wantStatus: 405},
		{name: "no endpoint", method: "GET", target: "/fhir/main/Patient/p1/x/y", wantStatus: 404, golden: "outcome/no-endpoint"},
		{name: "trailing slash", method: "GET", target: "/fhir/main/Patient/p1/", wantStatus: 404},
		{name: "vread", method: "GET", target: "/fhir/main/Patient/p1/_history/1", wantStatus: 200,
			wantBody: `{"resourceType":"Patient","id":"p1","meta":{"versionId":"1","lastUpdated":"2026-11-27T10:11:12.345Z"},"active":true}`},
		{name: "base", method: "GET", target: "/fhir", wantStatus: 404},
		{name: "reader failure", method: "GET", target: "/fhir/broken/Patient/p1", wantStatus: 500, golden: "outcome/internal-error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(h, tt.method, tt.target, tt.header)
			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			require.Equal(t, "application/fhir+json; charset=utf-8", rec.Header().Get("Content-Type"))
			for k, v := range tt.wantHeader {
				require.Equal(t, v, rec.Header().Get(k), k)
			}
			if tt.wantBody != "" || tt.method == "HEAD" {
				require.Equal(t, tt.wantBody, rec.Body.String())
			}
			if tt.golden != "" {
				checkGolden(t, tt.golden, rec.Body.Bytes())
			}
			if rec.Code >= 400 {
				var oo struct {
					ResourceType string
					Issue        []struct{ Severity, Code, Diagnostics string }
				}
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &oo))
				require.Equal(t, "OperationOutcome", oo.ResourceType)
				require.Len(t, oo.Issue, 1)
				require.NotEmpty(t, oo.Issue[0].Diagnostics)
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	h := newTestHandler(t, nil)
	rec := do(h, "GET", "/fhir/ro/metadata", nil)
	require.Equal(t, 200, rec.Code)
	require.Equal(t, "application/fhir+json; charset=utf-8", rec.Header().Get("Content-Type"))
	checkGolden(t, "metadata", rec.Body.Bytes())

	// A writable data store advertises every type and interaction.
	rec = do(h, "GET", "/fhir/main/metadata", nil)
	require.Equal(t, 200, rec.Code)
	var full capabilityStatement
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &full))
	require.Len(t, full.Rest[0].Resource, len(fhir.ResourceTypes()))
	require.Equal(t, []interaction{{Code: "transaction"}, {Code: "batch"}, {Code: "history-system"}}, full.Rest[0].Interaction)
	for _, r := range full.Rest[0].Resource {
		require.Len(t, r.Interaction, 8)
		require.Equal(t, "versioned-update", r.Versioning)
		require.True(t, r.ConditionalCreate)
	}

	// A reader that cannot list its types advertises read on every type.
	rec = do(h, "GET", "/fhir/broken/metadata", nil)
	require.Equal(t, 200, rec.Code)
	var cs capabilityStatement
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &cs))
	require.Len(t, cs.Rest[0].Resource, len(fhir.ResourceTypes()))
	for _, r := range cs.Rest[0].Resource {
		require.Equal(t, []interaction{{Code: "read"}}, r.Interaction)
	}

	for _, c := range []struct {
		method, target string
		want           int
	}{
		{"POST", "/fhir/main/metadata", 405},
		{"GET", "/fhir/ro/metadata", 200},
		{"GET", "/fhir/other/metadata", 404},
		{"GET", "/fhir/main/metadata?_format=xml", 406},
		{"GET", "/fhir/main/metadata?_format=json", 200},
	} {
		require.Equal(t, c.want, do(h, c.method, c.target, nil).Code, c.target)
	}
}

func TestLogging(t *testing.T) {
	var log bytes.Buffer
	h := newTestHandler(t, &log)
	do(h, "GET", "/fhir/main/Patient/p1", nil)
	do(h, "GET", "/fhir/broken/Patient/p1", nil)
	out := log.String()
	require.Contains(t, out, `level=DEBUG msg="api: request" method=GET path=/fhir/main/Patient/p1 status=200`)
	require.Contains(t, out, `level=WARN msg="api: request failed" method=GET path=/fhir/broken/Patient/p1 error="unexpected EOF"`)
	require.Contains(t, out, `status=500`)
}
