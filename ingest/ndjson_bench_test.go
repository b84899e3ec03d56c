package ingest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// syntheticNDJSON returns about size bytes of Synthea-like NDJSON: a mix of
// Observation, Encounter and Condition resources with codings, references,
// periods and quantities, compact as Bulk Data exports write them.
func syntheticNDJSON(size int) (data []byte, records int) {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		pat := fmt.Sprintf("%08x-1e2f-4a5b-8c6d-%012x", i/50, i/50)
		switch i % 4 {
		case 0, 1:
			fmt.Fprintf(&b, `{"resourceType":"Observation","id":"%08x-0000-4000-8000-%012x","meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab"]},"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory","display":"Laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"2339-0","display":"Glucose [Mass/volume] in Blood"}],"text":"Glucose [Mass/volume] in Blood"},"subject":{"reference":"Patient/%s"},"encounter":{"reference":"Encounter/%08x-aaaa-4bbb-8ccc-%012x"},"effectiveDateTime":"2019-0%d-1%dT10:2%d:00-05:00","issued":"2019-0%d-1%dT10:2%d:00.123-05:00","valueQuantity":{"value":%d.%d,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}}`+"\n",
				i, i, pat, i/10, i/10, i%9+1, i%10, i%10, i%9+1, i%10, i%10, 60+i%80, i%10)
		case 2:
			fmt.Fprintf(&b, `{"resourceType":"Encounter","id":"%08x-aaaa-4bbb-8ccc-%012x","meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter"]},"identifier":[{"use":"official","system":"https://github.com/synthetichealth/synthea","value":"%08x-aaaa-4bbb-8ccc-%012x"}],"status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"type":[{"coding":[{"system":"http://snomed.info/sct","code":"185349003","display":"Encounter for check up (procedure)"}],"text":"Encounter for check up (procedure)"}],"subject":{"reference":"Patient/%s","display":"Mr. Antonio44 Runolfsson901"},"participant":[{"type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"PPRF","display":"primary performer"}],"text":"primary performer"}],"period":{"start":"2019-01-14T10:20:00-05:00","end":"2019-01-14T10:35:00-05:00"},"individual":{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|99999%05d","display":"Dr. Gabriel934 Bode78"}}],"period":{"start":"2019-01-14T10:20:00-05:00","end":"2019-01-14T10:35:00-05:00"},"location":[{"location":{"reference":"Location?identifier=https://github.com/synthetichealth/synthea|%d","display":"CLINIC %d"}}],"serviceProvider":{"reference":"Organization?identifier=https://github.com/synthetichealth/synthea|%d","display":"CLINIC %d"}}`+"\n",
				i, i, i, i, pat, i%997, i%50, i%50, i%50, i%50)
		default:
			fmt.Fprintf(&b, `{"resourceType":"Condition","id":"%08x-cccc-4ddd-8eee-%012x","meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-encounter-diagnosis"]},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"resolved"}]},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"encounter-diagnosis","display":"Encounter Diagnosis"}]}],"code":{"coding":[{"system":"http://snomed.info/sct","code":"444814009","display":"Viral sinusitis (disorder)"}],"text":"Viral sinusitis (disorder)"},"subject":{"reference":"Patient/%s"},"encounter":{"reference":"Encounter/%08x-aaaa-4bbb-8ccc-%012x"},"onsetDateTime":"2019-01-14T10:20:00-05:00","abatementDateTime":"2019-02-04T10:20:00-05:00","recordedDate":"2019-01-14T10:20:00-05:00"}`+"\n",
				i, i, pat, i-1, i-1)
		}
		records++
	}
	return b.Bytes(), records
}

// BenchmarkReadNDJSON measures the import hot path: ReadFile over a
// Synthea-like NDJSON file, plain and gzip, and over the real Synthea bulk
// sample when it is present. MB/s are of uncompressed NDJSON.
func BenchmarkReadNDJSON(b *testing.B) {
	data, n := syntheticNDJSON(32 << 20)
	dir := b.TempDir()
	plain := filepath.Join(dir, "synthetic.ndjson")
	if err := os.WriteFile(plain, data, 0o644); err != nil {
		b.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(data)
	_ = zw.Close()
	packed := filepath.Join(dir, "synthetic.ndjson.gz")
	if err := os.WriteFile(packed, gz.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("data=synthetic/codec=none", func(b *testing.B) { benchRead(b, plain, len(data), n) })
	b.Run("data=synthetic/codec=gzip", func(b *testing.B) { benchRead(b, packed, len(data), n) })
	if real, ok := syntheaBulk(b); ok {
		path := filepath.Join(dir, "synthea.ndjson")
		if err := os.WriteFile(path, real, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run("data=synthea/codec=none", func(b *testing.B) { benchRead(b, path, len(real), bytes.Count(real, []byte("\n"))) })
	}
}

func benchRead(b *testing.B, path string, size, records int) {
	b.ReportAllocs()
	b.SetBytes(int64(size))
	start := time.Now()
	loops := 0
	for b.Loop() {
		st, err := ReadFile(context.Background(), path, Handler{})
		if err != nil || st.Records != records || st.Rejected != 0 {
			b.Fatalf("got %+v, %v; want %d records", st, err, records)
		}
		loops++
	}
	b.ReportMetric(float64(records*loops)/time.Since(start).Seconds(), "records/s")
}

// syntheaBulk concatenates the real Synthea bulk NDJSON sample, if found.
func syntheaBulk(b *testing.B) ([]byte, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, false
	}
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "..", "shared", "data", "synthea-small", "bulk-ndjson", "*.ndjson"))
		if len(files) > 0 {
			var all []byte
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					b.Fatal(err)
				}
				all = append(all, data...)
			}
			return all, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, false
		}
		dir = parent
	}
}
