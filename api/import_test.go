package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestImportPaths(t *testing.T) {
	body, err := ImportRequest([]string{"/data/a b.ndjson", "/data/dir"})
	require.NoError(t, err)
	paths, err := importPaths(body)
	require.NoError(t, err)
	require.Equal(t, []string{"/data/a b.ndjson", "/data/dir"}, paths, "ImportRequest and importPaths agree")
	_, err = ImportRequest([]string{"relative.ndjson"})
	require.ErrorContains(t, err, "not absolute")

	for _, tc := range []struct{ body, want, err string }{
		{`{"resourceType":"Parameters","parameter":[{"name":"input","part":[{"name":"url","valueUri":"/x/../y.ndjson"}]}]}`, "/y.ndjson", ""},
		{`{"resourceType":"Parameters","parameter":[{"name":"input","part":[{"name":"url","valueUrl":"file://localhost/y.ndjson"}]}]}`, "/y.ndjson", ""},
		{`{"resourceType":"Parameters","parameter":[{"name":"input","part":[{"name":"url","valueUrl":"file://other/y.ndjson"}]}]}`, "", `names host "other"`},
		{`{"resourceType":"Parameters","parameter":[{"name":"input","part":[{"name":"url","valueUrl":"s3://bucket/y.ndjson"}]}]}`, "s3://bucket/y.ndjson", ""},
		{`{"resourceType":"Parameters","parameter":[{"name":"input","part":[{"name":"url","valueUrl":"s3:///y.ndjson"}]}]}`, "", "names no bucket"},
		{`{"resourceType":"Parameters","parameter":[{"name":"input","part":[{"name":"url","valueUrl":"https://h/y.ndjson"}]}]}`, "", "only file:// and s3:// URLs"},
		{`{"resourceType":"Parameters","parameter":[{"name":"input","part":[{"name":"url","valueUrl":"y.ndjson"}]}]}`, "", "not an absolute path"},
		{`{"resourceType":"Parameters","parameter":[{"name":"input","part":[{"name":"type","valueCode":"Patient"}]}]}`, "", "no url part"},
		{`{"resourceType":"Parameters","parameter":[{"name":"since","valueInstant":"2020-01-01T00:00:00Z"}]}`, "", `unknown parameter "since"`},
		{`{"resourceType":"Parameters"}`, "", "no input parameter"},
		{`{"resourceType":"Bundle"}`, "", "must be a Parameters resource"},
		{`not json`, "", "not JSON"},
	} {
		paths, err := importPaths([]byte(tc.body))
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.body)
			continue
		}
		require.NoError(t, err, tc.body)
		require.Equal(t, []string{tc.want}, paths)
	}
}

// importerFunc adapts a function to Importer.
type importerFunc func(ctx context.Context, ds string, paths []string) (ImportResult, error)

func (f importerFunc) Import(ctx context.Context, ds string, paths []string) (ImportResult, error) {
	return f(ctx, ds, paths)
}

func TestImportEndpoint(t *testing.T) {
	var got []string
	h := NewHandler(nil, Options{Importer: importerFunc(func(_ context.Context, ds string, paths []string) (ImportResult, error) {
		if ds == "bad" {
			return ImportResult{}, errors.New("disk on fire")
		}
		if ds == "Nope" {
			return ImportResult{}, ErrBadImport
		}
		got = append([]string{ds}, paths...)
		return ImportResult{Datastore: ds, Files: 1, ByType: map[string]ImportCounts{"Patient": {Created: 2}}}, nil
	})})
	body, err := ImportRequest([]string{"/tmp/x.ndjson"})
	require.NoError(t, err)
	do := func(method, path, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:40000"
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := do("POST", "/datastores/demo/$import", string(body))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, []string{"demo", "/tmp/x.ndjson"}, got)
	require.JSONEq(t, `{"datastore":"demo","created":false,"files":1,"bytes":0,"byType":{"Patient":{"created":2,"updated":0,"unchanged":0}},"rejected":0,"elapsedMs":0}`, rec.Body.String())

	remote := httptest.NewRequest("POST", "/datastores/demo/$import", strings.NewReader(string(body)))
	remote.RemoteAddr = "192.0.2.7:40000"
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, remote)
	require.Equal(t, http.StatusForbidden, rec.Code, "the server reads the paths: only local callers")

	rec = do("GET", "/datastores/demo/$import", "")
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	rec = do("POST", "/datastores/demo/$import", `{"resourceType":"Parameters"}`)
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "OperationOutcome")
	rec = do("POST", "/datastores/Nope/$import", string(body))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	rec = do("POST", "/datastores/bad/$import", string(body))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.NotContains(t, rec.Body.String(), "disk on fire", "server errors are logged, not shown")
}
