package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/jobs"
)

// reportJobs adds ImportJobReports to managerJobs.
type reportJobs struct{ managerJobs }

func (rj reportJobs) ImportReport(ds, id string) (io.ReadCloser, error) { return rj.m.Report(ds, id) }

// TestImportJobErrorsSealed serves the error report of a job whose files
// are sealed: the route reads it through ImportJobReports, decrypted,
// while the file itself holds none of it.
func TestImportJobErrorsSealed(t *testing.T) {
	dir := t.TempDir()
	key := []byte("api-test-seal-key-of-32-bytes!!!")
	m, err := jobs.Open(jobs.Options{
		Dir:        func(ds string) string { return filepath.Join(dir, ds) },
		Datastores: func() ([]string, error) { return nil, nil },
		Run:        fakeRun,
		SealKey:    func(string) ([]byte, error) { return key, nil },
	})
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	sync := importerFunc(func(context.Context, string, []string) (ImportResult, error) {
		return ImportResult{}, errors.New("not this one")
	})
	for _, tc := range []struct {
		name     string
		importer Importer
		want     bool // the body holds the report
	}{
		{"through ImportJobReports", reportJobs{managerJobs{importerFunc: sync, m: m}}, true},
		{"the raw file", managerJobs{importerFunc: sync, m: m}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHandler(nil, Options{Importer: tc.importer})
			rec := jobCall(h, "POST", "/datastores/demo/imports", `{"inputs":["/in/bad.ndjson"]}`)
			require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
			loc := rec.Header().Get("Location")
			j := until(t, h, loc)
			require.Equal(t, jobs.CompletedWithErrors, j.State)
			raw, err := os.ReadFile(j.ErrorReport)
			require.NoError(t, err)
			require.NotContains(t, string(raw), "/in/bad.ndjson:2")

			rec = jobCall(h, "GET", loc+"/errors", "")
			require.Equal(t, http.StatusOK, rec.Code)
			if tc.want {
				require.Contains(t, rec.Body.String(), `"location":["/in/bad.ndjson:2"]`)
			} else {
				require.NotContains(t, rec.Body.String(), "/in/bad.ndjson:2")
			}
		})
	}
}
