package export

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

// synthetic is a Source of n generated Observations (about 250 bytes
// each, spread over 1,000 patients) that are made as they are scanned, so
// that the only memory an export can hold on to is its own.
type synthetic struct{ n int }

var syntheticTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

func (s synthetic) Types(context.Context) ([]string, error) { return []string{"Observation"}, nil }

func (s synthetic) Read(_ context.Context, typ, id string) (store.Resource, error) {
	return store.Resource{}, fmt.Errorf("synthetic: %s/%s: %w", typ, id, store.ErrNotFound)
}

func (s synthetic) Scan(ctx context.Context, typ string, fn func(store.Resource) error) error {
	for i := range s.n {
		if typ != "Observation" {
			return nil
		}
		body := fmt.Appendf(nil, `{"resourceType":"Observation","id":"o%d","meta":{"versionId":"1","lastUpdated":"2020-01-01T00:00:00.000Z"},`+
			`"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}],"text":"Heart rate"},`+
			`"subject":{"reference":"Patient/p%d"},"valueQuantity":{"value":%d,"unit":"/min"}}`, i, i%1000, 40+i%100)
		r := store.Resource{Type: typ, ID: "o" + strconv.Itoa(i), Version: 1, LastUpdated: syntheticTime, Body: body}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// heapPeak samples HeapInuse every few milliseconds while run runs and
// returns its peak above the level before run.
func heapPeak(run func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > base && ms.HeapInuse-base > peak.Load() {
				peak.Store(ms.HeapInuse - base)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	run()
	close(stop)
	wg.Wait()
	return peak.Load()
}

// TestExportMemoryFlat exports 200,000 generated resources (about 50 MB of
// NDJSON) and checks that the heap never grows by more than a fraction of
// that: the export streams. BenchmarkExport holds the strict bound.
func TestExportMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("exports 200,000 resources")
	}
	const n = 200_000
	e := serve(t, t.TempDir(), synthetic{n}, Options{PartSize: 50_000})
	var m manifest
	peak := heapPeak(func() { m = e.export("/fhir/main/$export") })
	require.Equal(t, map[string]int{"Observation": n}, counts(m))
	require.Len(t, m.Output, 4)
	t.Logf("heap peak above baseline: %.1f MiB", float64(peak)/(1<<20))
	require.Less(t, peak, uint64(40<<20), "an export must not hold its output in memory")
}

// BenchmarkExport runs whole exports of generated resources, system- and
// patient-level, and reports allocated bytes per resource and the heap
// peak, which must stay under 16 MiB whatever the number of resources.
func BenchmarkExport(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, level := range []string{"system", "patient"} {
			path := "/fhir/main/$export"
			if level == "patient" {
				path = "/fhir/main/Patient/$export"
			}
			b.Run(fmt.Sprintf("resources=%d/level=%s", n, level), func(b *testing.B) {
				e := serve(b, b.TempDir(), synthetic{n}, Options{})
				b.ReportAllocs()
				var peak uint64
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				for b.Loop() {
					peak = max(peak, heapPeak(func() {
						m := e.export(path)
						if got := counts(m)["Observation"]; got != n {
							b.Fatalf("exported %d resources, want %d", got, n)
						}
					}))
				}
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(n), "alloc-B/resource")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
				if peak > 16<<20 {
					b.Fatalf("heap peak %.1f MiB: export memory grows with the data", float64(peak)/(1<<20))
				}
			})
		}
	}
}
