package resolve

import (
	"context"
	"encoding/json"
	"testing"
)

// FuzzSink feeds arbitrary JSON objects to the sink's rewriting and
// merging: no panic, and valid JSON in gives valid JSON out.
func FuzzSink(f *testing.F) {
	for _, s := range []string{orgA, orgB, encQ, encB, encID, `{"a":[{"identifier":{"value":"1"}}],"reference":"Patient?identifier=x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 10_000 || !json.Valid(body) {
			return
		}
		var obj map[string]any
		if json.Unmarshal(body, &obj) != nil {
			return
		}
		s := New(&fakeStore{}, Options{})
		s.alias["Organization/b"] = "a"
		s.idx.register("Patient", "p", []identifierValue{{"", "x"}})
		s.idx.register("Organization", "a", []identifierValue{{"s", "1"}})
		out, _, err := s.resolveBody(context.Background(), "Observation", body, true)
		if err != nil {
			t.Fatalf("resolveBody: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("resolveBody gave invalid JSON %s", out)
		}
		if _, err := topIdentifiers(body); err != nil {
			t.Fatalf("topIdentifiers: %v", err)
		}
		merged, err := mergeInto([]byte(orgA), body)
		if err != nil || !json.Valid(merged) {
			t.Fatalf("mergeInto: %v %s", err, merged)
		}
		again, err := mergeInto(merged, body)
		if err != nil || string(again) != string(merged) {
			t.Fatalf("merge not idempotent:\n%s\n%s", merged, again)
		}
	})
}
