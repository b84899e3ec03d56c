package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/export"
	"github.com/stretchr/testify/require"
)

// TestBulkExportMounted runs a Bulk Data export through the API handler:
// the routes coexist with the REST interactions, and the
// CapabilityStatement lists the operation.
func TestBulkExportMounted(t *testing.T) {
	s := testStore(t)
	dir := t.TempDir()
	m := export.NewManager(func(string) string { return dir }, export.Options{})
	t.Cleanup(func() { _ = m.Close() })
	h := NewHandler(datastores{"main": s}, Options{Exports: m})

	rec := do(h, "GET", "/fhir/main/$export?_type=Patient,Observation", http.Header{"Prefer": {"respond-async"}, "Accept": {"application/fhir+json"}})
	require.Equal(t, 202, rec.Code, rec.Body.String())
	loc, err := url.Parse(rec.Header().Get("Content-Location"))
	require.NoError(t, err)
	var manifest struct {
		Output []struct {
			Type  string
			URL   string
			Count int
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec = do(h, "GET", loc.Path, nil)
		if rec.Code == 200 {
			break
		}
		require.Equal(t, 202, rec.Code, rec.Body.String())
		require.True(t, time.Now().Before(deadline), "export did not finish")
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &manifest))
	counts := map[string]int{}
	for _, o := range manifest.Output {
		counts[o.Type] += o.Count
		f, err := url.Parse(o.URL)
		require.NoError(t, err)
		file := do(h, "GET", f.Path, nil)
		require.Equal(t, 200, file.Code)
		require.Equal(t, o.Count, strings.Count(file.Body.String(), "\n"))
	}
	require.Equal(t, map[string]int{"Patient": 1, "Observation": 1}, counts, "the deleted patient is not exported")

	// The REST routes still answer next to the export ones.
	require.Equal(t, 200, do(h, "GET", "/fhir/main/Patient/_history", nil).Code)
	require.Equal(t, 200, do(h, "GET", "/fhir/main/Patient/p1/_history", nil).Code)
	require.Equal(t, 404, do(h, "GET", "/fhir/main/Patient/p1/_nothing", nil).Code)
	rec = do(h, "GET", "/fhir/main/metadata", nil)
	require.Contains(t, rec.Body.String(), "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export")
	require.Contains(t, rec.Body.String(), "patient-export")
}
