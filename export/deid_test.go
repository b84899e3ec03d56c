package export

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// deidPatient holds identifying values the de-identified export must drop.
const deidPatient = `{"resourceType":"Patient","id":"pat1","gender":"female","birthDate":"1961-07-14",
 "name":[{"family":"Wolfeschlegel","given":["Hubertina"]}],"telecom":[{"system":"phone","value":"555-0199"}],
 "identifier":[{"system":"urn:mrn","value":"MRN-778812"}],
 "address":[{"line":["12 Quarry Road"],"city":"Marbleton","state":"MA","postalCode":"02139"}]}`

func deidKey(string) ([]byte, error) { return []byte("0123456789abcdef0123456789abcdef"), nil }

// TestDeidExport checks _deid=safe-harbor: the files hold de-identified
// resources and the manifest says so; other values are refused.
func TestDeidExport(t *testing.T) {
	st, dir := newStore(t, nil)
	put(t, st, deidPatient, `{"resourceType":"Observation","id":"obs1","status":"final",
	 "code":{"coding":[{"system":"http://loinc.org","code":"8302-2"}]},"subject":{"reference":"Patient/pat1"},
	 "effectiveDateTime":"2020-03-04T10:00:00Z","valueQuantity":{"value":170}}`)
	e := serve(t, dir, st, Options{DeidKey: deidKey})

	m := e.export("/fhir/main/$export?_deid=safe-harbor")
	require.Equal(t, map[string]string{"deidentification": "safe-harbor"}, m.Extension)
	require.Equal(t, map[string]int{"Patient": 1, "Observation": 1}, counts(m))
	var all strings.Builder
	for _, ls := range e.lines(m) {
		for _, l := range ls {
			all.Write(l.Raw)
		}
	}
	out := all.String()
	for _, v := range []string{"pat1", "obs1", "Wolfeschlegel", "Hubertina", "555-0199", "MRN-778812", "12 Quarry", "Marbleton",
		"02139", "1961-07-14", "2020-03-04"} {
		require.NotContains(t, out, v)
	}
	require.Contains(t, out, `"birthDate":"1961"`)
	require.Contains(t, out, `"code":"8302-2"`)

	plain := e.export("/fhir/main/$export")
	require.Nil(t, plain.Extension)

	tests := []struct {
		name, path string
		opts       Options
		status     int
		diag       string
	}{
		{"unknown method", "/fhir/main/$export?_deid=expert", Options{DeidKey: deidKey}, 400, "_deid"},
		{"empty", "/fhir/main/Patient/$export?_deid=", Options{DeidKey: deidKey}, 400, "_deid"},
		{"no key", "/fhir/main/$export?_deid=safe-harbor", Options{}, 400, "no de-identification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := serve(t, t.TempDir(), st, tt.opts)
			resp, body := e.do("GET", tt.path, nil)
			require.Equal(t, tt.status, resp.StatusCode, string(body))
			_, diag := outcome(t, resp, body)
			require.Contains(t, diag, tt.diag)
		})
	}
}

// TestDeidOnly checks a caller marked WithDeidOnly: it must ask for
// _deid, and identified jobs are not there for it.
func TestDeidOnly(t *testing.T) {
	st, dir := newStore(t, nil)
	put(t, st, deidPatient)
	e := serve(t, dir, st, Options{DeidKey: deidKey})
	identified := e.kickoff("/fhir/main/$export")
	resp, body := e.wait(identified)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	mux := http.NewServeMux()
	e.m.Routes(mux, func(ds string) (Source, bool) { return st, ds == testDS })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(WithDeidOnly(r.Context())))
	}))
	t.Cleanup(srv.Close)
	onlyDeid := func(method, url string) (*http.Response, []byte) {
		return e.do(method, strings.Replace(url, e.srv.URL, srv.URL, 1), nil)
	}

	resp, body = onlyDeid("GET", srv.URL+"/fhir/main/$export")
	require.Equal(t, http.StatusForbidden, resp.StatusCode, string(body))
	_, diag := outcome(t, resp, body)
	require.Contains(t, diag, "_deid=safe-harbor")
	resp, body = onlyDeid("GET", identified)
	require.Equal(t, http.StatusNotFound, resp.StatusCode, string(body))
	resp, body = onlyDeid("DELETE", identified)
	require.Equal(t, http.StatusNotFound, resp.StatusCode, string(body))

	resp, body = onlyDeid("GET", srv.URL+"/fhir/main/$export?_deid=safe-harbor")
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
	status := resp.Header.Get("Content-Location")
	resp, body = e.wait(status) // its own job: visible to everyone
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	resp, body = onlyDeid("GET", status)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Contains(t, string(body), `"deidentification":"safe-harbor"`)
}
