package ingest

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fillReader returns an endless stream of one byte.
type fillReader byte

func (f fillReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(f)
	}
	return len(p), nil
}

// binaryLine returns a reader over a valid NDJSON line of exactly n bytes
// (without its "\n"): a Binary whose data is padded with 'A', never held
// in memory as a whole.
func binaryLine(id string, n int64) io.Reader {
	head := `{"resourceType":"Binary","id":"` + id + `","data":"`
	tail := `"}`
	return io.MultiReader(strings.NewReader(head),
		io.LimitReader(fillReader('A'), n-int64(len(head)+len(tail))),
		strings.NewReader(tail+"\n"))
}

// readNDJSONStream reads r as the NDJSON file name and returns its events.
func readNDJSONStream(t *testing.T, name string, r io.Reader) result {
	t.Helper()
	var res result
	em := &emitter{ctx: context.Background(), file: name, h: Handler{
		Record: func(r Record) error { r.Body = nil; res.recs = append(res.recs, r); return nil },
		Reject: func(e *RecordError) { res.errs = append(res.errs, e) },
	}}
	require.NoError(t, newNDJSONReader(em).read(r))
	res.stats = em.stats
	return res
}

func TestReadNDJSONOversize(t *testing.T) {
	good := func(id string) io.Reader {
		return strings.NewReader(`{"resourceType":"Patient","id":"` + id + `"}` + "\n")
	}
	tests := []struct {
		name  string
		input func() io.Reader
		want  []string
	}{
		{"exactly the limit loads", func() io.Reader {
			return io.MultiReader(good("a"), binaryLine("b", MaxRecordBytes), good("c"))
		}, []string{"1 Patient/a", "2 Binary/b", "3 Patient/c"}},
		{"one byte more is rejected", func() io.Reader {
			return io.MultiReader(good("a"), binaryLine("b", MaxRecordBytes+1), good("c"))
		}, []string{"1 Patient/a", fmt.Sprintf("2! record of %d bytes exceeds the 64 MiB limit", MaxRecordBytes+1), "3 Patient/c"}},
		{"crlf is not counted", func() io.Reader {
			return io.MultiReader(good("a"), io.LimitReader(binaryLine("b", MaxRecordBytes), MaxRecordBytes), strings.NewReader("\r\n"), good("c"))
		}, []string{"1 Patient/a", "2 Binary/b", "3 Patient/c"}},
		{"last line without newline", func() io.Reader {
			return io.MultiReader(good("a"), io.LimitReader(fillReader('x'), MaxRecordBytes+5))
		}, []string{"1 Patient/a", fmt.Sprintf("2! record of %d bytes exceeds the 64 MiB limit", MaxRecordBytes+5)}},
		{"two in a row", func() io.Reader {
			return io.MultiReader(binaryLine("a", MaxRecordBytes+7), binaryLine("b", 2*MaxRecordBytes), good("c"))
		}, []string{fmt.Sprintf("1! record of %d bytes exceeds the 64 MiB limit", MaxRecordBytes+7),
			fmt.Sprintf("2! record of %d bytes exceeds the 64 MiB limit", 2*MaxRecordBytes), "3 Patient/c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, readNDJSONStream(t, "big.ndjson", tc.input()).events())
		})
	}
}

// TestReadNDJSONHugeLine reads a 100 MiB line between two good lines: it
// is rejected, the lines around it load, and the heap never holds the line
// twice. (The reader keeps at most MaxRecordBytes of it; what the heap
// shows on top is the smaller buffers it grew from, not yet collected:
// about 112 MiB in all.) The buffer is released after the line.
func TestReadNDJSONHugeLine(t *testing.T) {
	const size = 100 << 20
	input := io.MultiReader(strings.NewReader(pat1+"\n"), binaryLine("huge", size), strings.NewReader(pat2+"\n"))

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() { // sample the heap while the line is read
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	var res result
	em := &emitter{ctx: context.Background(), file: "huge.ndjson", h: Handler{
		Record: func(r Record) error { r.Body = nil; res.recs = append(res.recs, r); return nil },
		Reject: func(e *RecordError) { res.errs = append(res.errs, e) },
	}}
	nr := newNDJSONReader(em)
	require.NoError(t, nr.read(input))
	close(done)
	wg.Wait()
	require.Nil(t, nr.long, "the line buffer is released after a line too long")

	require.Equal(t, []string{"1 Patient/p1", fmt.Sprintf("2! record of %d bytes exceeds the 64 MiB limit", size), "3 Patient/p2"}, res.events())
	require.Less(t, time.Since(start), 20*time.Second)
	grown := int64(peak) - int64(base)
	t.Logf("peak heap growth while reading a %d MiB line: %d MiB", size>>20, grown>>20)
	require.Less(t, grown, int64(2*size), "the line must not be held twice")
}

func TestAppendCapped(t *testing.T) {
	var dst []byte
	for range 10 {
		dst = appendCapped(dst, make([]byte, 7), 64)
		require.LessOrEqual(t, cap(dst), 64)
		if len(dst)+7 > 64 {
			break
		}
	}
	require.Equal(t, 63, len(dst))
	require.Equal(t, 64, cap(dst))
	require.Equal(t, []byte("ab"), appendCapped(nil, []byte("ab"), 2))
}

func TestLineEndLen(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "x": 0, "x\n": 1, "\n": 1, "x\r\n": 2, "x\r": 0} {
		require.Equal(t, want, lineEndLen([]byte(in)), "%q", in)
	}
}
