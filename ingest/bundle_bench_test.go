package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkReadBundle measures reading a generated pretty-printed
// transaction Bundle (two passes, reference rewriting). MB/s are of the
// file as stored.
func BenchmarkReadBundle(b *testing.B) {
	const n = 5000
	path := filepath.Join(b.TempDir(), "bundle.json")
	size := writeBigBundle(b, path, n)
	b.ReportAllocs()
	b.SetBytes(size)
	start := time.Now()
	loops := 0
	for b.Loop() {
		st, err := ReadFile(context.Background(), path, Handler{})
		if err != nil || st.Records != n {
			b.Fatalf("got %+v, %v", st, err)
		}
		loops++
	}
	b.ReportMetric(float64(n*loops)/time.Since(start).Seconds(), "records/s")
	_ = os.Remove(path)
}
