package normalize

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzNormalize checks that Normalize never panics, that its output is
// valid JSON whenever the input was, that an unchanged resource comes back
// byte-identical, and that normalising the output again changes nothing.
func FuzzNormalize(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/golden/*.json")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil && !strings.HasSuffix(s, ".changes.json") {
			f.Add(data)
		}
	}
	for _, s := range []string{
		`{"resourceType":"Patient","birthDate":"2020-3-5","gender":"Male","telecom":[{"system":"phone","value":"(555) 123-4567"}]}`,
		`{"resourceType":"Observation","valueQuantity":{"unit":"mg/dl"},"effectiveDateTime":"2020-03-05 10:00 z"}`,
		`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Condition","code":{"coding":[{"system":"SNOMED","code":" 1 "}]}}}]}`,
		`{"resourceType":"Patient","meta":{},"_birthDate":{"extension":[{"url":"u","valueInstant":"2020-01-01T00:00:00z"}]}}`,
		`{"resourceType":"Patient","meta":{"tag":[]},"telecom":[{"system":"email","value":"A@B.C"}]}`,
	} {
		f.Add([]byte(s))
	}
	n := New(Options{CallingCode: "1", TrunkPrefix: "1"})
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 10000 {
			return
		}
		out, changes, err := n.Normalize(body)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			if json.Valid(body) {
				t.Fatalf("output is not valid JSON:\n%s", out)
			}
			return
		}
		if len(changes) == 0 && !bytes.Equal(out, body) {
			t.Fatalf("no changes but output differs:\n%s\n%s", body, out)
		}
		again, more, err := n.Normalize(out)
		if err != nil {
			t.Fatalf("second pass: %v", err)
		}
		if len(more) > 0 || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %+v\n%s\n%s", more, out, again)
		}
	})
}
