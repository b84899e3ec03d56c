package export

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRoutesCoexist registers the export routes next to the patterns a
// FHIR REST API uses, with and without methods: no conflict, and each
// request reaches the right handler.
func TestRoutesCoexist(t *testing.T) {
	st, _ := newStore(t, nil)
	m := NewManager(func(string) string { return t.TempDir() }, Options{})
	defer m.Close()
	mux := http.NewServeMux()
	api := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }
	for _, p := range []string{
		"/fhir/", "/fhir/{datastore}/metadata", "/fhir/{datastore}/{type}/{id}",
		"/fhir/{datastore}/{type}",
		"GET /fhir/{datastore}/{type}/{id}/_history/{vid}", "DELETE /fhir/{datastore}/{type}/{id}",
		"POST /fhir/{datastore}/$import", "GET /fhir/{datastore}/{type}/{id}/{op}",
	} {
		mux.HandleFunc(p, api)
	}
	require.NotPanics(t, func() {
		m.Routes(mux, func(ds string) (Source, bool) { return st, ds == testDS })
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", "/fhir/main/$export?_type=Nope", http.StatusBadRequest},
		{"GET", "/fhir/main/Patient/$export?_type=Nope", http.StatusBadRequest},
		{"GET", "/fhir/main/Group/g/$export", http.StatusNotFound},
		{"PATCH", "/fhir/main/Group/g/$export", http.StatusMethodNotAllowed},
		{"GET", "/fhir/main/$export-status/x", http.StatusNotFound},
		{"GET", "/fhir/main/$export-file/x/y", http.StatusNotFound},
		{"GET", "/fhir/main/Patient/1", http.StatusTeapot},
		{"GET", "/fhir/main/Patient", http.StatusTeapot},
		{"GET", "/fhir/main/Group/g/$everything", http.StatusTeapot},
		{"POST", "/fhir/main/$import", http.StatusTeapot},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, tt.status, resp.StatusCode, "%s %s", tt.method, tt.path)
	}
}

// TestDsBase builds absolute URLs from the request's Host, https over TLS.
func TestDsBase(t *testing.T) {
	tests := []struct{ url, want string }{
		{"http://lake.example:8080/fhir/a/$export", "http://lake.example:8080/fhir/a%20b"},
		{"https://lake.example/fhir/a/$export", "https://lake.example/fhir/a%20b"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, tt.url, nil)
		require.Equal(t, tt.want, dsBase(r, "a b"))
	}
}
