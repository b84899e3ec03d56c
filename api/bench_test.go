package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/audit"
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

// BenchmarkReadAudited measures FHIR reads (GET Patient/{id}) over real
// HTTP with 8 concurrent keep-alive clients, with no audit log and with
// the audit log in each durability mode (and sealed, as encryption at rest
// writes it), so that the audit log's cost on
// read throughput is the ratio of the reads/s figures:
//
//	go test -run '^$' -bench ReadAudited -benchtime 5s ./api/
func BenchmarkReadAudited(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts *audit.Options
	}{
		{"audit=off", nil},
		{"audit=write", &audit.Options{SyncInterval: 10 * time.Millisecond}},
		{"audit=write,sealed", &audit.Options{SyncInterval: 10 * time.Millisecond, SealKey: bytes.Repeat([]byte{7}, 32)}},
		{"audit=fsync", &audit.Options{}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			s, err := store.Open(filepath.Join(b.TempDir(), "b.db"), store.Options{NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			const patients = 1000
			in := make([]store.Input, patients)
			for i := range in {
				id := fmt.Sprintf("p%d", i)
				in[i] = store.Input{Type: "Patient", ID: id, Body: []byte(`{"resourceType":"Patient","id":"` + id + `","gender":"female","birthDate":"1970-01-01","name":[{"family":"Doe","given":["Jane"]}]}`)}
			}
			if _, err := s.Put(context.Background(), in); err != nil {
				b.Fatal(err)
			}
			opts := Options{}
			if mode.opts != nil {
				l, err := audit.Open(context.Background(), filepath.Join(b.TempDir(), "audit"), *mode.opts)
				if err != nil {
					b.Fatal(err)
				}
				defer l.Close()
				opts.Audit = l
			}
			srv := httptest.NewServer(NewHandler(datastores{"w": s}, opts))
			defer srv.Close()
			const clients = 8
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			var next atomic.Int64
			var failed atomic.Value
			b.ResetTimer()
			var wg sync.WaitGroup
			for range clients {
				wg.Go(func() {
					for {
						n := next.Add(1)
						if n > int64(b.N) {
							return
						}
						resp, err := client.Get(fmt.Sprintf("%s/fhir/w/Patient/p%d", srv.URL, n%patients))
						if err != nil {
							failed.Store(err)
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							failed.Store(fmt.Errorf("status %d", resp.StatusCode))
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			if err, ok := failed.Load().(error); ok {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
		})
	}
}
