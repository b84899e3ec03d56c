package ingest

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestIDSet compares idSet with a map over sets small and large (past the
// split into segments), with repeats.
func TestIDSet(t *testing.T) {
	for _, n := range []int{0, 1, 7, idSplitAt - 1, idSplitAt, idSplitAt + 1, 300_000} {
		t.Run(fmt.Sprintf("keys=%d", n), func(t *testing.T) {
			s := newIDSet()
			want := map[uint64]int{}
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			keys := make([]uint64, 0, n)
			for i := range n {
				k := s.hash("Patient", strconv.Itoa(i))
				first, dup := s.add(k, i+1)
				require.False(t, dup, "key %d", i)
				require.Equal(t, i+1, first)
				want[k] = i + 1
				keys = append(keys, k)
				if i%3 == 0 { // re-add a random earlier key
					old := keys[rng.IntN(len(keys))]
					first, dup := s.add(old, -1)
					require.True(t, dup)
					require.Equal(t, want[old], first)
				}
			}
			require.Equal(t, len(want), s.len())
			for k, pos := range want {
				got, ok := s.lookup(k)
				require.True(t, ok)
				require.Equal(t, pos, got)
			}
			for i := range 1000 {
				_, ok := s.lookup(s.hash("Patient", "absent"+strconv.Itoa(i)))
				require.False(t, ok)
			}
			if n > idSegments*idSmallSlots { // every segment grows by a quarter
				perKey := float64(s.bytes()) / float64(n)
				require.LessOrEqual(t, perKey, 12/(0.8*0.8)+0.5, "bytes per key")
				require.GreaterOrEqual(t, perKey, 12/0.8, "bytes per key")
			}
		})
	}
}

func TestIDSetKeys(t *testing.T) {
	s := newIDSet()
	// The parts are hashed apart: no key is confused with another made of
	// the same bytes cut elsewhere or swapped.
	keys := []uint64{s.hash("Patient", "a"), s.hash("Patien", "ta"), s.hash("a", "Patient"),
		s.hash("Patient", "b"), s.hash("Group", "a"), s.hash("fullUrl", "Patient/a")}
	for i, k := range keys {
		require.NotZero(t, k)
		_, dup := s.add(k, i)
		require.False(t, dup, "key %d", i)
	}
	first, dup := s.add(s.hash("Patient", "a"), 9)
	require.True(t, dup)
	require.Equal(t, 0, first)
}

// BenchmarkIDSet measures the time of an add and the memory a set holds:
// B/key is its slots' bytes per key, heapMB the growth of the live heap
// (go test -run '^$' -bench IDSet -benchtime 1x for 12 M keys; about
// 15–19 B/key, so 180–225 MB).
func BenchmarkIDSet(b *testing.B) {
	for _, n := range []int{100_000, 12_000_000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			var ms runtime.MemStats
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				base := ms.HeapAlloc
				start := time.Now()
				s := newIDSet()
				id := make([]byte, 0, 16)
				for i := range n {
					id = strconv.AppendInt(id[:0], int64(i), 36)
					s.add(s.hash("Observation", string(id)), i+1)
				}
				perKey := float64(time.Since(start).Nanoseconds()) / float64(n)
				runtime.GC()
				runtime.ReadMemStats(&ms)
				b.ReportMetric(perKey, "ns/key")
				b.ReportMetric(float64(s.bytes())/float64(n), "B/key")
				b.ReportMetric(float64(ms.HeapAlloc-base)/1e6, "heapMB")
				runtime.KeepAlive(s)
			}
		})
	}
}
