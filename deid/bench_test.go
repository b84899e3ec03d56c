package deid

import (
	"context"
	"testing"
)

// BenchmarkResource measures one resource of each kind of the generated
// corpus, in each mode.
func BenchmarkResource(b *testing.B) {
	src := corpus(b)
	byType := map[string][]sourceResource{}
	for _, r := range src {
		byType[r.typ] = append(byType[r.typ], r)
	}
	for _, mode := range []struct {
		name string
		opts Options
	}{
		{"remove", Options{}},
		{"redact", Options{RedactText: true}},
		{"shift", Options{ShiftDates: true}},
	} {
		d := newTest(b, mode.opts)
		for _, typ := range []string{"Observation", "Patient", "DocumentReference"} {
			rs := byType[typ]
			b.Run("type="+typ+"/mode="+mode.name, func(b *testing.B) {
				b.ReportAllocs()
				ctx := context.Background()
				i := 0
				for b.Loop() {
					if _, err := d.Resource(ctx, rs[i%len(rs)].body); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}
