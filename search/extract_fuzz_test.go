package search

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzExtract checks that Extract never panics and that every value it
// returns names a parameter of the resource's type.
func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "synthea-*.json"))
	for _, name := range files {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	for _, s := range []string{
		`{"resourceType":"Observation","subject":{"reference":"#x"},"contained":[{"id":"x"}]}`,
		`{"resourceType":"Observation","component":[{"code":{"coding":[{"code":"a"},{"code":"b"}]},"valueQuantity":{"value":1e308,"code":"10*30/uL","system":"http://unitsofmeasure.org"}}]}`,
		`{"resourceType":"Encounter","period":{"start":"2020-02-30","end":"9999-12-31T23:59:59.999-14:00"}}`,
		`{"resourceType":"MolecularSequence","variant":[{"start":"x"}],"referenceSeq":[1,2]}`,
		`{"resourceType":"Location","position":{"latitude":"a"}}`,
		`[]`, `{}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 64<<10 {
			return
		}
		v, err := Extract(body)
		if err != nil && v.ResourceType == "" {
			return
		}
		for _, code := range valueCodes(&v) {
			if _, ok := Lookup(v.ResourceType, code); !ok {
				t.Fatalf("%s has no parameter %s", v.ResourceType, code)
			}
		}
	})
}
