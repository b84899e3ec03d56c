package r4

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// benchInputs returns named resources of growing size: testdata inputs,
// plus Synthea resources when the shared data is present.
func benchInputs(b *testing.B) map[string][]byte {
	b.Helper()
	out := map[string][]byte{}
	for _, name := range []string{"Patient-example", "Observation-blood-pressure", "Questionnaire-gcs"} {
		body, err := os.ReadFile(filepath.Join("testdata", "shape", name+".in.json"))
		if err != nil {
			b.Fatal(err)
		}
		out[name] = body
	}
	dir := os.Getenv("FHIRLAKE_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared")
	}
	if body := firstLine(filepath.Join(dir, "data/synthea-small/bulk-ndjson/Encounter.000.ndjson")); body != nil {
		out["synthea-Encounter"] = body
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "data/synthea-small/bundles/A*.json")); len(files) > 0 {
		if body, err := os.ReadFile(files[0]); err == nil {
			out["synthea-Bundle"] = body
			if obs := firstOfType(body, "Observation"); obs != nil {
				out["synthea-Observation"] = obs
			}
		}
	}
	return out
}

// firstOfType returns the first entry resource of a type in a Bundle.
func firstOfType(bundle []byte, typ string) []byte {
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if json.Unmarshal(bundle, &b) != nil {
		return nil
	}
	for _, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if json.Unmarshal(e.Resource, &head) == nil && head.ResourceType == typ {
			return e.Resource
		}
	}
	return nil
}

func firstLine(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	if !sc.Scan() {
		return nil
	}
	return append([]byte(nil), sc.Bytes()...)
}

func BenchmarkValidate(b *testing.B) {
	if _, err := defs(); err != nil {
		b.Fatal(err)
	}
	for name, body := range benchInputs(b) {
		b.Run("resource="+name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if issues := Validate(body); issues != nil {
					b.Fatal(issues)
				}
			}
		})
	}
}

func BenchmarkSummarize(b *testing.B) {
	for name, body := range benchInputs(b) {
		b.Run("resource="+name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Summarize(body, "true"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
