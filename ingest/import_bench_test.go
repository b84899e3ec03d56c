package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/fhirlake/fhirlake/ingest/remote/s3test"
	"github.com/fhirlake/fhirlake/store"
	"github.com/fhirlake/fhirlake/synth"
	"github.com/stretchr/testify/require"
)

// benchPatients sizes the data set of the import benchmarks.
const benchPatients = 300

// benchCodecs are the compressions the import benchmarks run with.
var benchCodecs = []string{"none", "gz", "zst"}

// benchExport generates the benchmark data set into a new folder,
// compressed with codec, and returns the folder, the relative file names
// and the total size as stored.
func benchExport(b *testing.B, codec string) (string, []string, int64) {
	b.Helper()
	gen, dir := b.TempDir(), b.TempDir()
	_, err := synth.Generate(context.Background(), synth.Options{Patients: benchPatients, Seed: 1, Out: gen})
	require.NoError(b, err)
	files, err := filepath.Glob(filepath.Join(gen, "*.ndjson"))
	require.NoError(b, err)
	var rel []string
	var size int64
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(b, err)
		name := filepath.Base(f)
		switch codec {
		case "gz":
			data, name = gzipBytes(b, data), name+".gz"
		case "zst":
			data, name = zstdBytes(b, data), name+".zst"
		}
		require.NoError(b, os.WriteFile(filepath.Join(dir, name), data, 0o644))
		rel = append(rel, name)
		size += int64(len(data))
	}
	return dir, rel, size
}

// benchSinks are the sinks the import benchmarks write to: a real store
// (new for each iteration), plain or encrypted at rest, or nothing, to
// measure reading alone.
var benchSinks = []string{"store", "store-encrypted", "discard"}

// discard is a Sink that keeps nothing.
var discard = sinkFunc(func(_ context.Context, in []store.Input) ([]store.Outcome, error) {
	return make([]store.Outcome, len(in)), nil
})

// benchImport imports paths into sink per iteration.
func benchImport(b *testing.B, paths []string, size int64) {
	for _, sink := range benchSinks {
		b.Run("sink="+sink, func(b *testing.B) { benchImportInto(b, paths, size, sink) })
	}
}

func benchImportInto(b *testing.B, paths []string, size int64, sinkName string) {
	b.SetBytes(size)
	b.ReportAllocs()
	resources := 0
	for b.Loop() {
		var sink Sink = discard
		switch sinkName {
		case "store":
			b.StopTimer()
			sink = openStore(b)
			b.StartTimer()
		case "store-encrypted":
			b.StopTimer()
			sink = openEncryptedStore(b)
			b.StartTimer()
		}
		sum, err := Import(context.Background(), sink, paths, Options{})
		require.NoError(b, err)
		require.Zero(b, sum.Rejected)
		resources = sum.Resources()
	}
	b.ReportMetric(float64(resources)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}

func BenchmarkImportLocal(b *testing.B) {
	for _, codec := range benchCodecs {
		b.Run("codec="+codec, func(b *testing.B) {
			dir, _, size := benchExport(b, codec)
			benchImport(b, []string{dir}, size)
		})
	}
}

// BenchmarkImportS3 imports the data set of BenchmarkImportLocal from a
// versitygw on loopback.
func BenchmarkImportS3(b *testing.B) {
	srv := s3test.Start(b)
	srv.CreateBucket(b, "bench")
	for _, codec := range benchCodecs {
		b.Run("codec="+codec, func(b *testing.B) {
			dir, rel, size := benchExport(b, codec)
			uploadTree(b, srv, dir, "bench", codec+"/", rel)
			benchImport(b, []string{"s3://bench/" + codec}, size)
		})
	}
}

// openEncryptedStore opens a new store encrypted at rest with a fixed key,
// closed when tb ends.
func openEncryptedStore(tb testing.TB) *store.Store {
	tb.Helper()
	enc, err := store.NewEncryption(bytes.Repeat([]byte{7}, 32))
	require.NoError(tb, err)
	st, err := store.Open(filepath.Join(tb.TempDir(), "raw.db"), store.Options{NoSync: true, Encryption: enc})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = st.Close() })
	return st
}
