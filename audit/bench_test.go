package audit

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAppend measures appends from a number of concurrent clients
// sharing group commits, each fsynced before it returns (sync=always) or
// written and fsynced within 10 ms (sync=10ms); it reports appends/s.
func BenchmarkAppend(b *testing.B) {
	for _, clients := range []int{1, 8, 64} {
		for _, keyed := range []bool{false, true} {
			for _, lazy := range []time.Duration{0, 10 * time.Millisecond} {
				benchmarkAppend(b, clients, keyed, lazy)
			}
		}
	}
}

func benchmarkAppend(b *testing.B, clients int, keyed bool, syncInterval time.Duration) {
	b.Run(fmt.Sprintf("clients=%d/keyed=%t/sync=%s", clients, keyed, syncName(syncInterval)), func(b *testing.B) {
		var key []byte
		if keyed {
			key = []byte("0123456789abcdef0123456789abcdef")
		}
		ctx := context.Background()
		l, err := Open(ctx, filepath.Join(b.TempDir(), "audit"), Options{Key: key, SyncInterval: syncInterval})
		if err != nil {
			b.Fatal(err)
		}
		ev := sampleEvent(1)
		b.ReportAllocs()
		b.ResetTimer()
		var left atomic.Int64
		left.Store(int64(b.N))
		var wg sync.WaitGroup
		var failed atomic.Value
		for range clients {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					if _, err := l.Append(ctx, ev); err != nil {
						failed.Store(err)
						return
					}
				}
			})
		}
		wg.Wait()
		b.StopTimer()
		if err, ok := failed.Load().(error); ok {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
	})

}

func syncName(d time.Duration) string {
	if d == 0 {
		return "always"
	}
	return d.String()
}
