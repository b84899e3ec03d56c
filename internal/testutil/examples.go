package testutil

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// R4Examples returns the official R4 example resources of
// ../shared/data/fhir-r4/examples and the resources inside its example
// Bundles, as raw JSON in file order (each Bundle followed by its
// entries). A missing folder skips the test, or fails it under CI=true.
func R4Examples(t testing.TB) [][]byte {
	t.Helper()
	dir := SharedDir(t, "data/fhir-r4/examples")
	var out [][]byte
	for _, sub := range []string{"resources", "bundles"} {
		files, err := filepath.Glob(filepath.Join(dir, sub, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, data)
			if sub == "bundles" {
				out = append(out, bundleEntries(t, f, data)...)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no example in %s", dir)
	}
	return out
}

// SyntheaResources returns every resource of the Synthea sample
// ../shared/data/synthea-small: the lines of its bulk NDJSON files, then
// the entries of its per-patient Bundles. A missing folder skips the
// test, or fails it under CI=true.
func SyntheaResources(t testing.TB) [][]byte {
	t.Helper()
	dir := SharedDir(t, "data/synthea-small")
	var out [][]byte
	ndjson, err := filepath.Glob(filepath.Join(dir, "bulk-ndjson", "*.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ndjson {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for line := range bytes.Lines(data) {
			if line = bytes.TrimSpace(line); len(line) > 0 {
				out = append(out, line)
			}
		}
	}
	bundles, err := filepath.Glob(filepath.Join(dir, "bundles", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range bundles {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, bundleEntries(t, f, data)...)
	}
	if len(out) == 0 {
		t.Fatalf("no resource in %s", dir)
	}
	return out
}

// bundleEntries returns the resources of a Bundle's entries.
func bundleEntries(t testing.TB, name string, data []byte) [][]byte {
	t.Helper()
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out [][]byte
	for _, e := range b.Entry {
		if len(e.Resource) > 0 {
			out = append(out, e.Resource)
		}
	}
	return out
}
