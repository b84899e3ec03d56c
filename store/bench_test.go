package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/internal/testutil"
	bolt "go.etcd.io/bbolt"
)

// syntheaDir returns the folder of Synthea bulk NDJSON used by the size and
// speed measurements (../shared; required under CI=true).
func syntheaDir(t testing.TB) string {
	return testutil.SharedDir(t, "data/synthea-small/bulk-ndjson")
}

// loadNDJSON reads every resource of the NDJSON files in dir and returns
// them with the total size of the files.
func loadNDJSON(t testing.TB, dir string) ([]Input, int64) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	require.NoError(t, err)
	var in []Input
	var size int64
	for _, f := range files {
		fi, err := os.Stat(f)
		require.NoError(t, err)
		size += fi.Size()
		typ := strings.SplitN(filepath.Base(f), ".", 2)[0]
		fh, err := os.Open(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			line := append([]byte(nil), sc.Bytes()...)
			p, err := prepare(Input{Type: typ, ID: idOf(t, line), Body: line})
			require.NoError(t, err)
			in = append(in, Input{Type: typ, ID: p.id, Body: line})
		}
		require.NoError(t, sc.Err())
		require.NoError(t, fh.Close())
	}
	return in, size
}

// idOf returns the id member of a resource.
func idOf(t testing.TB, body []byte) string {
	i := strings.Index(string(body), `"id":"`)
	require.GreaterOrEqual(t, i, 0)
	rest := string(body[i+6:])
	return rest[:strings.IndexByte(rest, '"')]
}

// withoutID returns inputs whose bodies have no id member, so benchmarks
// can write them under fresh ids.
func withoutID(t testing.TB, in []Input) []Input {
	out := make([]Input, len(in))
	for i, r := range in {
		p, err := prepare(r)
		require.NoError(t, err)
		body := []byte(`{"resourceType":"` + r.Type + `"`)
		if p.metaRest != nil {
			body = append(append(append(body, `,"meta":{`...), p.metaRest...), '}')
		}
		if p.rest != nil {
			body = append(append(body, ','), p.rest...)
		}
		out[i] = Input{Type: r.Type, ID: r.ID, Body: append(body, '}')}
	}
	return out
}

// TestStoredSize loads the Synthea sample and checks that the store file is
// well below the NDJSON it came from.
func TestStoredSize(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the Synthea sample; slow under -race")
	}
	in, ndjson := loadNDJSON(t, syntheaDir(t))
	path := filepath.Join(t.TempDir(), "ds.db")
	s, err := Open(path, Options{NoSync: true})
	require.NoError(t, err)
	ctx := context.Background()
	var compressed int64
	for i := 0; i < len(in); i += 1000 {
		_, err := s.Put(ctx, in[i:min(i+1000, len(in))])
		require.NoError(t, err)
	}
	// Measure the values alone too, to separate codec from B+tree overhead.
	for _, r := range in {
		p, err := prepare(r)
		require.NoError(t, err)
		enc, err := Zstd().Encode(nil, p.appendBody(nil, 1, []byte(lastUpdatedLayout)), nil)
		require.NoError(t, err)
		compressed += int64(len(enc))
	}
	// A second import of the same files changes nothing.
	out, err := s.Put(ctx, in)
	require.NoError(t, err)
	for _, o := range out {
		require.Equal(t, Unchanged, o)
	}
	// bbolt grows the file in large steps; the pages in use are what the
	// data costs.
	var used int64
	require.NoError(t, s.db.View(func(tx *bolt.Tx) error { used = tx.Size(); return nil }))
	require.NoError(t, s.Close())
	t.Logf("%d resources: NDJSON %d B, zstd bodies %d B (%.2f), store pages in use %d B (%.2f of NDJSON)",
		len(in), ndjson, compressed, float64(compressed)/float64(ndjson), used, float64(used)/float64(ndjson))
	require.Less(t, float64(used), 0.6*float64(ndjson))
}

func BenchmarkPut(b *testing.B) {
	in, _ := loadNDJSON(b, syntheaDir(b))
	in = withoutID(b, in)
	for _, batch := range []int{1, 1000, 10000} {
		for _, sync := range []bool{true, false} {
			benchEncrypted(b, fmt.Sprintf("batch=%d/sync=%t", batch, sync), func(b *testing.B, e *Encryption) {
				s, err := Open(filepath.Join(b.TempDir(), "ds.db"), Options{NoSync: !sync, Encryption: e})
				require.NoError(b, err)
				defer s.Close()
				ctx := context.Background()
				buf := make([]Input, batch)
				n, bytes := 0, 0
				b.ReportAllocs()
				cpu0 := cpuTime()
				for b.Loop() {
					for i := range buf {
						r := in[n%len(in)]
						buf[i] = Input{Type: r.Type, ID: fmt.Sprintf("r%d", n), Body: r.Body}
						bytes += len(r.Body)
						n++
					}
					if _, err := s.Put(ctx, buf); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "resources/s")
				// On a shared machine wall time depends on the neighbours;
				// CPU time (user+system, all threads) does not.
				if cpu := cpuTime() - cpu0; cpu > 0 {
					b.ReportMetric(float64(n)/cpu.Seconds(), "resources/cpu-s")
				}
				b.SetBytes(int64(bytes / max(b.N, 1)))
			})
		}
	}
}

// benchEncrypted runs fn as sub-benchmarks name/enc=false and
// name/enc=true, without and with encryption at rest, so that
// `benchstat -col /enc` shows what encryption costs.
func benchEncrypted(b *testing.B, name string, fn func(b *testing.B, e *Encryption)) {
	for _, enc := range []bool{false, true} {
		b.Run(fmt.Sprintf("%s/enc=%t", name, enc), func(b *testing.B) {
			var e *Encryption
			if enc {
				e = testEncryption(b, 9)
			}
			fn(b, e)
		})
	}
}

func BenchmarkRead(b *testing.B) {
	in, _ := loadNDJSON(b, syntheaDir(b))
	benchEncrypted(b, "read", func(b *testing.B, e *Encryption) { benchRead(b, in, e) })
}

func benchRead(b *testing.B, in []Input, e *Encryption) {
	s, err := Open(filepath.Join(b.TempDir(), "ds.db"), Options{NoSync: true, Encryption: e})
	require.NoError(b, err)
	defer s.Close()
	ctx := context.Background()
	_, err = s.Put(ctx, in)
	require.NoError(b, err)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		r := in[(n*7919)%len(in)]
		if _, err := s.Read(ctx, r.Type, r.ID); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "resources/s")
}

// BenchmarkScan scans every resource of the Synthea sample, type by type,
// decoding each body, as view materialization does.
func BenchmarkScan(b *testing.B) {
	in, _ := loadNDJSON(b, syntheaDir(b))
	benchEncrypted(b, "scan", func(b *testing.B, e *Encryption) { benchScan(b, in, e) })
}

func benchScan(b *testing.B, in []Input, e *Encryption) {
	s, err := Open(filepath.Join(b.TempDir(), "ds.db"), Options{NoSync: true, Encryption: e})
	require.NoError(b, err)
	defer s.Close()
	ctx := context.Background()
	_, err = s.Put(ctx, in)
	require.NoError(b, err)
	types, err := s.Types(ctx)
	require.NoError(b, err)
	b.ReportAllocs()
	n, bytes := 0, 0
	for b.Loop() {
		for _, typ := range types {
			err := s.Scan(ctx, typ, func(r Resource) error {
				n++
				bytes += len(r.Body)
				return nil
			})
			require.NoError(b, err)
		}
	}
	require.Equal(b, len(in)*b.N, n)
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "resources/s")
	b.SetBytes(int64(bytes / max(b.N, 1)))
}
