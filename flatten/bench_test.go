package flatten

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/fhirlake/fhirlake/synth"
)

// BenchmarkBuilderAppend measures Builder.Append for the default views
// over realistic Synthea and HL7 example resources, one core, record
// batches of 64k rows. resources/s is the throughput to compare with
// DuckDB json_extract (100–175k resources/s).
func BenchmarkBuilderAppend(b *testing.B) {
	for _, name := range []string{"observation", "patient", "condition", "encounter"} {
		b.Run("view="+name, func(b *testing.B) {
			v, res := benchInput(b, name)
			bl := v.NewBuilder(memory.DefaultAllocator)
			defer bl.Release()
			b.ReportAllocs()
			n, size := 0, 0
			for b.Loop() {
				r := res[n%len(res)]
				if err := bl.Append(r); err != nil {
					b.Fatal(err)
				}
				size += len(r)
				n++
				if bl.Len() >= 1<<16 {
					bl.NewRecord().Release()
				}
			}
			b.SetBytes(int64(size / max(n, 1)))
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "resources/s")
		})
	}
}

func benchInput(b *testing.B, name string) (*View, [][]byte) {
	var vd *ViewDefinition
	for _, d := range DefaultViews() {
		if d.Name == name {
			vd = d
		}
	}
	v, err := Compile(vd)
	if err != nil {
		b.Fatal(err)
	}
	return v, readLines(b, filepath.Join("testdata", "golden", name+".ndjson"))
}

// benchPatients is the size of the synthetic data set of
// BenchmarkFlattenShape: about 2,600 Observations per 100 patients.
const benchPatients = 200

// BenchmarkFlattenShape flattens the synthetic NDJSON of the bench
// suite's view shapes (../bench/views) through one Builder, one core. One
// iteration is the whole file; rows/s is comparable with the bench suite's
// per-worker throughput.
func BenchmarkFlattenShape(b *testing.B) {
	files, err := filepath.Glob(filepath.Join("..", "bench", "views", "*.json"))
	if err != nil || len(files) == 0 {
		b.Fatalf("bench views: %v (%d files)", err, len(files))
	}
	// The parent of sub-benchmarks runs once, so the data is generated once.
	dir := b.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Options{Patients: benchPatients, Seed: 1, Out: dir}); err != nil {
		b.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		b.Run("view="+name, func(b *testing.B) {
			def, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			vd, err := ParseView(def)
			if err != nil {
				b.Fatal(err)
			}
			v, err := Compile(vd)
			if err != nil {
				b.Fatal(err)
			}
			res := readLines(b, filepath.Join(dir, vd.Resource+".ndjson"))
			size := 0
			for _, r := range res {
				size += len(r)
			}
			bl := v.NewBuilder(memory.DefaultAllocator)
			defer bl.Release()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			rows, iters := 0, 0
			for b.Loop() {
				for _, r := range res {
					if err := bl.Append(r); err != nil {
						b.Fatal(err)
					}
					if bl.Len() >= 1<<15 {
						rows += bl.Len()
						bl.NewRecord().Release()
					}
				}
				rows += bl.Len()
				bl.NewRecord().Release()
				iters++
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(len(res)*iters)/b.Elapsed().Seconds(), "resources/s")
		})
	}
}

func readLines(b *testing.B, path string) [][]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var res [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if len(sc.Bytes()) > 0 {
			res = append(res, bytes.Clone(sc.Bytes()))
		}
	}
	return res
}

// BenchmarkBuilderTyped measures Builder.Append for a view with a column
// of every typed kind (decimal, date and dateTime with their _raw
// companions, instant, time, base64Binary, integer64 and lists), so that
// the cost of exact decimals and companions shows apart from FHIRPath.
func BenchmarkBuilderTyped(b *testing.B) {
	vd, err := ParseView([]byte(`{"resource":"Observation","select":[{"column":[
		{"name":"id","path":"id","type":"id"},
		{"name":"value","path":"value.ofType(Quantity).value","type":"decimal"},
		{"name":"ranges","path":"referenceRange.low.value","type":"decimal","collection":true},
		{"name":"effective","path":"effective.ofType(dateTime)","type":"dateTime"},
		{"name":"issued","path":"issued","type":"instant"},
		{"name":"day","path":"extension('d').value.ofType(date)","type":"date"},
		{"name":"at","path":"extension('t').value.ofType(time)","type":"time"},
		{"name":"data","path":"extension('b').value.ofType(base64Binary)","type":"base64Binary"},
		{"name":"n","path":"extension('n').value.ofType(integer64)","type":"integer64"}]}]}`))
	if err != nil {
		b.Fatal(err)
	}
	v, err := Compile(vd)
	if err != nil {
		b.Fatal(err)
	}
	res := []byte(`{"resourceType":"Observation","id":"o1","status":"final","code":{},
		"valueQuantity":{"value":176.20203871060636,"unit":"cm"},
		"referenceRange":[{"low":{"value":0.1}},{"low":{"value":12.5}}],
		"effectiveDateTime":"2020-01-02T03:04:05+02:00","issued":"2020-01-02T03:04:05.123Z",
		"extension":[{"url":"d","valueDate":"1970-03"},{"url":"t","valueTime":"10:20:30.5"},
		{"url":"b","valueBase64Binary":"SGVsbG8sIEZISVIh"},{"url":"n","valueInteger64":"9007199254740993"}]}`)
	bl := v.NewBuilder(memory.DefaultAllocator)
	defer bl.Release()
	b.ReportAllocs()
	b.SetBytes(int64(len(res)))
	for b.Loop() {
		if err := bl.Append(res); err != nil {
			b.Fatal(err)
		}
		if bl.Len() >= 1<<16 {
			bl.NewRecord().Release()
		}
	}
}
