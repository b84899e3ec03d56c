package ingest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeBigBundle writes a pretty-printed transaction Bundle of n entries,
// each referring to the previous one by its urn:uuid fullUrl, and returns
// its size.
func writeBigBundle(t testing.TB, path string, n int) int64 {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	filler := strings.Repeat("lorem ipsum ", 150)
	fmt.Fprint(w, "{\n  \"resourceType\": \"Bundle\",\n  \"type\": \"transaction\",\n  \"entry\": [\n")
	for i := range n {
		if i > 0 {
			fmt.Fprint(w, ",\n")
		}
		fmt.Fprintf(w, "    {\n      \"fullUrl\": \"urn:uuid:00000000-0000-4000-8000-%012d\",\n      \"resource\": {\n"+
			"        \"resourceType\": \"Observation\",\n        \"status\": \"final\",\n"+
			"        \"hasMember\": [ { \"reference\": \"urn:uuid:00000000-0000-4000-8000-%012d\" } ],\n"+
			"        \"note\": [ { \"text\": \"%s\" } ]\n      },\n"+
			"      \"request\": { \"method\": \"POST\", \"url\": \"Observation\" }\n    }", i, max(i-1, 0), filler)
	}
	fmt.Fprint(w, "\n  ]\n}\n")
	require.NoError(t, w.Flush())
	st, err := f.Stat()
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return st.Size()
}

// TestBundleMemoryIsBounded reads a Bundle of about 60 MB and checks that
// the live heap never grows by more than a fraction of the file: entries
// are streamed, only the fullUrl map grows with the number of entries.
func TestBundleMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 60 MB file")
	}
	const n = 30000
	path := filepath.Join(t.TempDir(), "big.json")
	size := writeBigBundle(t, path, n)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	records := 0
	_, err := ReadFile(context.Background(), path, Handler{
		Record: func(r Record) error {
			if records%1000 == 0 {
				runtime.GC()
				sample()
				if records > 0 {
					require.Contains(t, string(r.Body), fmt.Sprintf(`"reference":"Observation/00000000-0000-4000-8000-%012d"`, records-1))
				}
			}
			records++
			return nil
		},
		Reject: func(e *RecordError) { t.Errorf("unexpected rejection: %v", e) },
	})
	require.NoError(t, err)
	require.Equal(t, n, records)
	growth := int64(peak - base)
	t.Logf("file %d MB, peak live heap growth %d MB", size>>20, growth>>20)
	require.Less(t, growth, size/4, "heap grew with the file")
}
