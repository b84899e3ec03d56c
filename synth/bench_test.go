package synth

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkGenerate measures end-to-end generation, including JSON
// encoding and file writes, and reports resources/s and MB/s.
func BenchmarkGenerate(b *testing.B) {
	for _, format := range []string{FormatNDJSON, FormatBundle} {
		for _, n := range []int{200} {
			b.Run("format="+format+"/patients="+strconv.Itoa(n), func(b *testing.B) {
				b.ReportAllocs()
				dir := b.TempDir()
				var resources, bytes int64
				for b.Loop() {
					st, err := Generate(context.Background(), Options{Patients: n, Seed: 1, Format: format, Out: dir})
					if err != nil {
						b.Fatal(err)
					}
					resources, bytes = 0, st.Bytes
					for _, c := range st.Resources {
						resources += int64(c)
					}
				}
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(float64(resources)/sec, "resources/s")
				b.ReportMetric(float64(bytes)/sec/1e6, "MB/s")
				b.ReportMetric(float64(resources)/float64(n), "resources/patient")
			})
		}
	}
}

// TestMemoryFlat checks that the live heap after generating does not grow
// with the number of patients (generation streams).
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 2,200 patients")
	}
	peak := func(n int) uint64 {
		var ms runtime.MemStats
		var maxHeap uint64
		done := make(chan struct{})
		stop := make(chan struct{})
		go func() {
			defer close(done)
			tick := time.NewTicker(2 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				maxHeap = max(maxHeap, ms.HeapInuse)
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		generate(t, n, 1, FormatNDJSON)
		close(stop)
		<-done
		return maxHeap
	}
	runtime.GC()
	small := peak(200)
	runtime.GC()
	large := peak(2000)
	t.Logf("peak heap in use: 200 patients %.1f MB, 2000 patients %.1f MB", float64(small)/1e6, float64(large)/1e6)
	// Allow noise from GC timing, but not growth proportional to N (10x).
	if large > 2*small+8<<20 {
		t.Fatalf("heap grows with patients: %d -> %d bytes", small, large)
	}
}
