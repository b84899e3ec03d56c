package api

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/fhirlake/fhirlake/store"
)

// benchHandler serves a fresh store with fsync on, as in production.
func benchHandler(b *testing.B) http.Handler {
	s, err := store.Open(filepath.Join(b.TempDir(), "b.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return NewHandler(datastores{"w": s}, Options{})
}

const benchObservation = `{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-11-28T10:00:00Z","valueQuantity":{"value":72,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`

// BenchmarkCreate measures POST /Observation with 8 concurrent clients,
// each acknowledged write fsync'd (group commit).
func BenchmarkCreate(b *testing.B) {
	h := benchHandler(b)
	b.SetParallelism(4) // 8 goroutines on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", "/fhir/w/Observation", bytes.NewReader([]byte(benchObservation)))
			req.Header.Set("Content-Type", "application/fhir+json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 201 {
				b.Fatal(rec.Code, rec.Body.String())
			}
		}
	})
}

// BenchmarkTransaction50 measures transaction Bundles of 50 Observations
// linked by urn:uuid to a Patient created in the same Bundle.
func BenchmarkTransaction50(b *testing.B) {
	h := benchHandler(b)
	var buf bytes.Buffer
	buf.WriteString(`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:0a6c3f7e-9d2b-4b6a-8e55-0f1c2d3e4f50","resource":{"resourceType":"Patient","gender":"female"},"request":{"method":"POST","url":"Patient"}}`)
	for i := range 49 {
		fmt.Fprintf(&buf, `,{"fullUrl":"urn:uuid:00000000-0000-4000-8000-%012d","resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"urn:uuid:0a6c3f7e-9d2b-4b6a-8e55-0f1c2d3e4f50"},"valueQuantity":{"value":%d,"unit":"/min"}},"request":{"method":"POST","url":"Observation"}}`, i, i)
	}
	buf.WriteString(`]}`)
	body := buf.Bytes()
	b.SetBytes(int64(len(body)))
	b.SetParallelism(2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", "/fhir/w", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/fhir+json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatal(rec.Code, rec.Body.String())
			}
		}
	})
}
