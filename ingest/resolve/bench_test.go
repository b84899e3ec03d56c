package resolve

import (
	"context"
	"fmt"
	"testing"

	"github.com/fhirlake/fhirlake/store"
)

// fakeStore is a Store of function fields; nil fields do nothing.
type fakeStore struct {
	put  func(ctx context.Context, in []store.Input) ([]store.Outcome, error)
	read func(ctx context.Context, typ, id string) (store.Resource, error)
	find func(ctx context.Context, typ string, q store.IdentifierQuery) ([]string, error)
}

func (f *fakeStore) Put(ctx context.Context, in []store.Input) ([]store.Outcome, error) {
	if f.put != nil {
		return f.put(ctx, in)
	}
	out := make([]store.Outcome, len(in))
	for i := range out {
		out[i] = store.Created
	}
	return out, nil
}

func (f *fakeStore) Read(ctx context.Context, typ, id string) (store.Resource, error) {
	if f.read != nil {
		return f.read(ctx, typ, id)
	}
	return store.Resource{}, store.ErrNotFound
}

func (f *fakeStore) FindByIdentifier(ctx context.Context, typ string, q store.IdentifierQuery) ([]string, error) {
	if f.find != nil {
		return f.find(ctx, typ, q)
	}
	return nil, nil
}

// benchBatch returns n resources of one kind, the size of typical
// Synthea resources (about 1 KB).
func benchBatch(kind string, n int) []store.Input {
	const pad = `"code":{"coding":[{"system":"http://loinc.org","code":"8302-2","display":"Body Height"}],"text":"Body Height"},` +
		`"valueQuantity":{"value":170.2,"unit":"cm","system":"http://unitsofmeasure.org","code":"cm"},` +
		`"effectiveDateTime":"2019-05-01T10:00:00-04:00","issued":"2019-05-01T10:00:00.000-04:00",` +
		`"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}]`
	in := make([]store.Input, n)
	for i := range in {
		id := fmt.Sprintf("r%07d", i)
		var body string
		switch kind {
		case "plain":
			body = `{"resourceType":"Observation","id":"` + id + `","status":"final",` + pad + `,"subject":{"reference":"Patient/p1"},"encounter":{"reference":"Encounter/e1"}}`
		case "conditional":
			body = `{"resourceType":"Observation","id":"` + id + `","status":"final",` + pad + `,"subject":{"reference":"Patient/p1"},"performer":[{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|` + fmt.Sprint(i%100) + `"}]}`
		case "identified":
			body = `{"resourceType":"Practitioner","id":"` + id + `","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"` + id + `"}],"name":[{"family":"F","given":["G"]}],"address":[{"line":["1 Main"],"city":"C"}]}`
		}
		in[i] = store.Input{Type: "Observation", ID: id, Body: []byte(body)}
		if kind == "identified" {
			in[i].Type = "Practitioner"
		}
	}
	return in
}

// BenchmarkPut measures the sink's own cost per batch of 5,000 (the
// store is a fake that writes nothing).
func BenchmarkPut(b *testing.B) {
	for _, kind := range []string{"plain", "conditional", "identified"} {
		b.Run("kind="+kind, func(b *testing.B) {
			in := benchBatch(kind, 5000)
			var size int64
			for _, r := range in {
				size += int64(len(r.Body))
			}
			s := New(&fakeStore{}, Options{})
			if kind == "conditional" {
				for i := range 100 {
					s.idx.register("Practitioner", fmt.Sprint("pr", i), []identifierValue{{"http://hl7.org/fhir/sid/us-npi", fmt.Sprint(i)}})
				}
			}
			ctx := context.Background()
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Put(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(in))/b.Elapsed().Seconds(), "resources/s")
		})
	}
}
