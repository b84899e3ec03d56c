package deid

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/fhirlake/fhirlake/fhir/r4"
)

// FuzzResource feeds arbitrary bytes to Resource: it must never panic;
// when it succeeds the output is valid JSON, and when the input is valid
// R4 the output is too. Seeds are the golden inputs and a few odd
// shapes.
func FuzzResource(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/golden/*.json")
	for _, in := range inputs {
		if b, err := os.ReadFile(in); err == nil {
			f.Add(b, uint8(0))
			f.Add(b, uint8(3))
		}
	}
	for _, s := range []string{
		`{}`, `[]`, `"x"`, `{"resourceType":"Patient","name":[{}]}`,
		`{"resourceType":"Patient","birthDate":"1900","_birthDate":{"id":"a"}}`,
		`{"resourceType":"Observation","valueQuantity":{"value":1e400,"unit":"a"}}`,
		`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"x"}}]}}]}`,
		`{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">a\u00e9\ud800</div>"}}`,
	} {
		f.Add([]byte(s), uint8(1))
	}
	ds := [4]*Deidentifier{
		newTest(f, Options{}),
		newTest(f, Options{RedactText: true}),
		newTest(f, Options{ShiftDates: true}),
		newTest(f, Options{RedactText: true, ShiftDates: true}),
	}
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		if len(body) > 64<<10 {
			return
		}
		out, err := ds[mode%4].Resource(context.Background(), body)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON output %q for %q", out, body)
		}
		if len(r4.Validate(body)) == 0 {
			if issues := r4.Validate(out); len(issues) > 0 {
				t.Fatalf("valid input %s gave invalid output %s: %v", body, out, issues)
			}
		}
	})
}
