package flatten

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/fhirlake/fhirlake/flatten/flattentest"
)

// fuzzResources are the tiny resources every fuzzed view runs on.
var fuzzResources = [][]byte{
	[]byte(`{"resourceType":"Patient","id":"p","active":true,"name":[{"use":"official","family":"F","given":["a","b"]},{"family":"G"}],"birthDate":"1970"}`),
	[]byte(`{"resourceType":"Observation","id":"o","status":"final","subject":{"reference":"Patient/p"},"valueQuantity":{"value":1.5,"unit":"mg"},"component":[{"valueString":"x"}]}`),
	[]byte(`{"resourceType":"Questionnaire","id":"q","item":[{"linkId":"1","item":[{"linkId":"1.1"}]}]}`),
}

// FuzzParseView feeds arbitrary bytes to ParseView, Compile and Evaluate
// (which together cover the ViewDefinition decoder and the FHIRPath
// parser): none may panic, and every error must be a *ViewError. The
// seed corpus is every view of the SQL-on-FHIR suite (when present), the
// default views, and testdata/fuzz/FuzzParseView.
func FuzzParseView(f *testing.F) {
	if dir := flattentest.FindDir(); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, name := range files {
			for _, v := range suiteViews(f, name) {
				f.Add([]byte(v))
			}
		}
	}
	views, _ := filepath.Glob(filepath.Join("views", "*.json"))
	for _, name := range views {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		_, _, err := RunView(data, fuzzResources)
		if err == nil {
			return
		}
		if _, ok := err.(*ViewError); !ok {
			t.Fatalf("error %T is not a *ViewError: %v", err, err)
		}
	})
}

// suiteViews returns the views of one suite file.
func suiteViews(f *testing.F, name string) []json.RawMessage {
	data, err := os.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	var s struct {
		Tests []struct{ View json.RawMessage }
	}
	if err := json.Unmarshal(data, &s); err != nil {
		f.Fatal(err)
	}
	var out []json.RawMessage
	for _, tc := range s.Tests {
		out = append(out, tc.View)
	}
	return out
}
