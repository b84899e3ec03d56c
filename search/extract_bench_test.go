package search

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkExtract extracts the values of Synthea resources kept in
// testdata (an Observation with a valueQuantity, a blood-pressure
// Observation with components, a Patient and an Encounter).
func BenchmarkExtract(b *testing.B) {
	for _, name := range []string{"observation", "observation-bp", "patient", "encounter"} {
		body, err := os.ReadFile(filepath.Join("testdata", "synthea-"+name+".json"))
		if err != nil {
			b.Fatal(err)
		}
		b.Run("resource="+name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := Extract(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
