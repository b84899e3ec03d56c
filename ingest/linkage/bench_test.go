package linkage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchFamilies and benchGiven are small name pools, so that blocks are
// as crowded as in the generator's data (56 family names), the worst case
// for blocking.
var (
	benchFamilies = func() []string {
		var out []string
		for _, a := range []string{"Har", "Mil", "Lop", "San", "Wil", "Cam", "Rob"} {
			for _, b := range []string{"ris", "ler", "ez", "son", "ton", "bell", "erts", "ford"} {
				out = append(out, a+b)
			}
		}
		return out
	}()
	benchGiven = []string{"James", "John", "Robert", "Michael", "William", "David", "Mary", "Patricia",
		"Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Noah", "Ava"}
)

// benchPatients returns n random patients, a tenth of them with a near
// copy.
func benchPatients(n int) []Patient {
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]Patient, 0, n)
	for i := 0; len(out) < n; i++ {
		p := Patient{
			ID:          fmt.Sprintf("p%d", i),
			Family:      benchFamilies[r.IntN(len(benchFamilies))],
			Given:       []string{benchGiven[r.IntN(len(benchGiven))]},
			BirthDate:   start.AddDate(0, 0, r.IntN(95*365)).Format(time.DateOnly),
			Gender:      []string{"male", "female"}[r.IntN(2)],
			Line:        fmt.Sprintf("%d Oak St", 1+r.IntN(9000)),
			City:        fmt.Sprintf("City%d", r.IntN(32)),
			PostalCode:  fmt.Sprintf("%05d", r.IntN(32)),
			Phones:      []string{fmt.Sprintf("555-01%02d", r.IntN(100))},
			Identifiers: []Identifier{{"ssn", fmt.Sprintf("%09d", r.IntN(1e9))}, {"mrn-a", fmt.Sprint(i)}},
		}
		out = append(out, p)
		if r.IntN(10) == 0 && len(out) < n {
			d := p
			d.ID += "-dup"
			d.Family = d.Family[:len(d.Family)-1]
			d.Identifiers = []Identifier{{"mrn-b", fmt.Sprint(i)}}
			out = append(out, d)
		}
	}
	return out
}

// BenchmarkFind measures Find over n patients; ns/op is the time for the
// whole set.
func BenchmarkFind(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		patients := benchPatients(n)
		b.Run(fmt.Sprintf("patients=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var found int
			for b.Loop() {
				m, err := Find(context.Background(), patients, DefaultConfig())
				if err != nil {
					b.Fatal(err)
				}
				found = len(m)
			}
			b.ReportMetric(float64(found), "matches")
		})
	}
}

func BenchmarkJaroWinkler(b *testing.B) {
	x, y := []rune("JOHNSON"), []rune("JONHSON")
	b.ReportAllocs()
	for b.Loop() {
		jaroWinkler(x, y)
	}
}
