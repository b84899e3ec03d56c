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
// written and fsynced within 10 ms (sync=10ms), with a plain or keyed
// chain, in a plaintext or sealed log; it reports appends/s. Compare
// sealing with benchstat -col /sealed.
func BenchmarkAppend(b *testing.B) {
	for _, clients := range []int{1, 8, 64} {
		for _, keyed := range []bool{false, true} {
			for _, lazy := range []time.Duration{0, 10 * time.Millisecond} {
				for _, sealed := range []bool{false, true} {
					benchmarkAppend(b, clients, keyed, sealed, lazy)
				}
			}
		}
	}
}

func benchmarkAppend(b *testing.B, clients int, keyed, sealed bool, syncInterval time.Duration) {
	b.Run(fmt.Sprintf("clients=%d/keyed=%t/sync=%s/sealed=%t", clients, keyed, syncName(syncInterval), sealed), func(b *testing.B) {
		opts := Options{SyncInterval: syncInterval}
		if keyed {
			opts.Key = []byte("0123456789abcdef0123456789abcdef")
		}
		if sealed {
			opts.SealKey = []byte("fedcba9876543210fedcba9876543210")
		}
		ctx := context.Background()
		l, err := Open(ctx, filepath.Join(b.TempDir(), "audit"), opts)
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

// BenchmarkStoredLine measures the CPU cost of turning one event into its
// stored line, without I/O: chaining it, and sealing it in a sealed log.
func BenchmarkStoredLine(b *testing.B) {
	ev, err := encodeEvent(sampleEvent(1))
	if err != nil {
		b.Fatal(err)
	}
	for _, sealed := range []bool{false, true} {
		b.Run(fmt.Sprintf("sealed=%t", sealed), func(b *testing.B) {
			w := writer{c: newChain(nil), seg: 1}
			if sealed {
				if w.codec, err = sealingCodec([]byte("fedcba9876543210fedcba9876543210")); err != nil {
					b.Fatal(err)
				}
			}
			hash := Genesis
			b.ReportAllocs()
			for i := uint64(1); b.Loop(); i++ {
				w.buf = w.buf[:0]
				if err := w.appendRecord(i, &hash, ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
