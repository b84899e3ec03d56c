package ingest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/ingest/normalize"
)

// BenchmarkImportNormalize measures what the normalize stage costs an
// import of the generated data set, into a store and into nothing.
func BenchmarkImportNormalize(b *testing.B) {
	dir, rel, size := benchExport(b, "none")
	paths := make([]string, len(rel))
	for i, r := range rel {
		paths[i] = filepath.Join(dir, r)
	}
	for _, norm := range []string{"off", "on"} {
		for _, sinkName := range benchSinks {
			b.Run("normalize="+norm+"/sink="+sinkName, func(b *testing.B) {
				opts := Options{}
				if norm == "on" {
					opts.Normalize = normalize.New(normalize.Options{})
				}
				b.SetBytes(size)
				b.ReportAllocs()
				resources := 0
				for b.Loop() {
					var sink Sink = discard
					if sinkName == "store" {
						b.StopTimer()
						sink = openStore(b)
						b.StartTimer()
					}
					sum, err := Import(context.Background(), sink, paths, opts)
					require.NoError(b, err)
					require.Zero(b, sum.Rejected)
					resources = sum.Resources()
				}
				b.ReportMetric(float64(resources)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
			})
		}
	}
}
