package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

// TestImportProgress checks Options.Progress: it only moves forward,
// counts bytes inside a plain file as its records are read, and ends
// equal to the Summary.
func TestImportProgress(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 40 {
		lines = append(lines, `{"resourceType":"Patient","id":"p`+strings.Repeat("x", i)+`"}`)
	}
	lines[7] = `{"resourceType":"Patient",`
	a := filepath.Join(dir, "a.ndjson")
	require.NoError(t, os.WriteFile(a, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	b := filepath.Join(dir, "b.ndjson")
	require.NoError(t, os.WriteFile(b, []byte(`{"resourceType":"Observation","id":"o1"}`+"\n"), 0o600))
	st, err := store.Open(filepath.Join(dir, "raw.db"), store.Options{NoSync: true})
	require.NoError(t, err)
	defer st.Close()

	var seen []Progress
	sum, err := Import(context.Background(), st, []string{dir}, Options{
		BatchSize: 4,
		Progress:  func(p Progress) { seen = append(seen, p) },
	})
	require.NoError(t, err)
	require.NotEmpty(t, seen)
	total := sum.Bytes
	midFile := false
	for i, p := range seen {
		require.Equal(t, 2, p.FilesTotal)
		require.Equal(t, total, p.BytesTotal)
		if i > 0 {
			prev := seen[i-1]
			require.GreaterOrEqual(t, p.BytesRead, prev.BytesRead, "step %d", i)
			require.GreaterOrEqual(t, p.Records, prev.Records, "step %d", i)
			require.GreaterOrEqual(t, p.Files, prev.Files, "step %d", i)
		}
		if p.Files == 0 && p.BytesRead > 0 {
			midFile = true
		}
	}
	require.True(t, midFile, "bytes of a plain file count before it ends")
	last := seen[len(seen)-1]
	require.Equal(t, Progress{Files: 2, FilesTotal: 2, BytesRead: total, BytesTotal: total, Records: 40, Rejected: 1,
		ByType: map[string]TypeCounts{"Patient": {Created: 39}, "Observation": {Created: 1}}}, last)
	require.Equal(t, sum.Rejected, last.Rejected)
	require.Equal(t, sum.Resources(), last.Records)
}
