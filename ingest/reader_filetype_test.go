package ingest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFileTypeOf(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"Patient.ndjson", "Patient"},
		{"Patient.000.ndjson", "Patient"},
		{"Patient.12.ndjson.gz", "Patient"},
		{"Observation-part-2.ndjson.zst", "Observation"},
		{"Observation-.ndjson", "Observation"},
		{"MedicationRequest.jsonl", "MedicationRequest"},
		{"Patient.NDJSON.GZ", "Patient"},
		{"/in/some.dir/Bundle.ndjson", "Bundle"},
		{"s3://bucket/export/Condition.001.ndjson", "Condition"},
		{"data.ndjson", ""},
		{"patient.ndjson", ""},     // types are spelled exactly
		{"Patients.ndjson", ""},    // not a type
		{"Patient.a1.ndjson", ""},  // ".n" must be digits
		{"Patient..ndjson", ""},    // "." without digits
		{"Patient_1.ndjson", ""},   // only "." and "-" separate
		{"Patient.json", ""},       // a single resource or a Bundle
		{"Patient.csv", ""},        // not NDJSON
		{"Patient.ndjson.bz2", ""}, // not a supported name
		{"1.Patient.ndjson", ""},   // the type comes first
		{"Patient/x.ndjson", ""},   // only the base name counts
		{"Observation.ndjson.gz", "Observation"},
	} {
		require.Equal(t, tc.want, fileTypeOf(tc.name), tc.name)
	}
}

// TestReadNDJSONFileType: a file named for a type holds only that type.
func TestReadNDJSONFileType(t *testing.T) {
	obs := `{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}}`
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + pat2 + `}]}`
	tests := []struct {
		name, file, input string
		want              []string
	}{
		{"foreign type", "Patient.000.ndjson", pat1 + "\n" + obs + "\n" + pat2 + "\n", []string{"1 Patient/p1",
			`2! resourceType "Observation" in Patient.000.ndjson, a file of Patient resources`, "3 Patient/p2"}},
		{"any type in an untyped file", "data.ndjson", pat1 + "\n" + obs + "\n", []string{"1 Patient/p1", "2 Observation/o1"}},
		{"a Bundle in a file of Patients", "Patient-a.ndjson", pat1 + "\n" + bundle + "\n", []string{"1 Patient/p1",
			`2! resourceType "Bundle" in Patient-a.ndjson, a file of Patient resources`}},
		{"Bundles in a file of Bundles are unpacked", "Bundle.ndjson", bundle + "\n" + pat1 + "\n", []string{"1 Patient/p2",
			`2! resourceType "Patient" in Bundle.ndjson, a file of Bundle resources`}},
		{"a foreign line is not remembered as an id", "Observation.ndjson",
			`{"resourceType":"Patient","id":"o1"}` + "\n" + obs + "\n", []string{
				`1! resourceType "Patient" in Observation.ndjson, a file of Observation resources`, "2 Observation/o1"}},
		{"other problems come first", "Patient.ndjson", `{"resourceType":"Observation","id":"a/b"}` + "\n",
			[]string{`1! invalid id "a/b" (want 1-64 characters from A-Z a-z 0-9 - .)`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), tc.file, []byte(tc.input))
			require.Equal(t, tc.want, readAll(t, path).events())
		})
	}
}
