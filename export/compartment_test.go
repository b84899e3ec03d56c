package export

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPatientID(t *testing.T) {
	tests := []struct {
		ref, want string
		ok        bool
	}{
		{"Patient/123", "123", true},
		{"Patient/a.b-C", "a.b-C", true},
		{"Patient/123/_history/4", "123", true},
		{"https://example.org/fhir/Patient/123", "123", true},
		{"http://example.org/fhir/Patient/123/_history/1", "123", true},
		{"Group/123", "", false},
		{"Patient", "", false},
		{"Patient/", "", false},
		{"Patient/a/b", "", false},
		{"Patient?identifier=x|1", "", false},
		{"urn:uuid:123", "", false},
		{"Other/Patient/123", "", false}, // relative, not Patient/...
		{"#contained", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, ok := patientID(tt.ref)
			require.Equal(t, tt.ok, ok)
			if ok {
				require.Equal(t, tt.want, got)
			}
		})
	}
}

func TestInPatientCompartment(t *testing.T) {
	p1 := map[string]bool{"p1": true}
	tests := []struct {
		name, typ, id, body string
		patients            map[string]bool
		want                bool
		wantErr             bool
	}{
		{"subject", "Observation", "o", `{"subject":{"reference":"Patient/p1"}}`, p1, true, false},
		{"other patient", "Observation", "o", `{"subject":{"reference":"Patient/p2"}}`, p1, false, false},
		{"any patient", "Observation", "o", `{"subject":{"reference":"Patient/p2"}}`, nil, true, false},
		{"performer array", "Observation", "o", `{"subject":{"reference":"Group/g"},"performer":[{"reference":"Practitioner/x"},{"reference":"Patient/p1"}]}`, p1, true, false},
		{"no patient reference at all", "Observation", "o", `{"subject":{"reference":"Group/g"}}`, nil, false, false},
		{"not a compartment element", "Observation", "o", `{"focus":[{"reference":"Patient/p1"}]}`, nil, false, false},
		{"nested path through arrays", "CarePlan", "c", `{"subject":{"reference":"Group/g"},"activity":[{"detail":{}},{"detail":{"performer":[{"reference":"Patient/p1"}]}}]}`, p1, true, false},
		{"two-step path", "Procedure", "x", `{"subject":{"reference":"Group/g"},"performer":[{"actor":{"reference":"Patient/p1"}}]}`, p1, true, false},
		{"absolute", "Encounter", "e", `{"subject":{"reference":"https://h/fhir/Patient/p1"}}`, p1, true, false},
		{"null and primitives", "Encounter", "e", `{"subject":null}`, nil, false, false},
		{"wrong shape", "Encounter", "e", `{"subject":"Patient/p1"}`, nil, false, false},
		{"type outside compartment", "Organization", "o", `{"partOf":{"reference":"Patient/p1"}}`, nil, false, false},
		{"patient itself", "Patient", "p1", `{}`, p1, true, false},
		{"other patient itself", "Patient", "p2", `{}`, p1, false, false},
		{"any patient itself", "Patient", "p2", `{}`, nil, true, false},
		{"linked patient", "Patient", "p2", `{"link":[{"other":{"reference":"Patient/p1"},"type":"seealso"}]}`, p1, true, false},
		{"group member", "Group", "g", `{"member":[{"entity":{"reference":"Patient/p1"}}]}`, p1, true, false},
		{"invalid JSON", "Encounter", "e", `{"subject":{"reference":"Patient/p1"}`, nil, false, true},
		{"invalid nested JSON", "Encounter", "e", `{"subject":{"reference":1},"text":"Patient/p1"}`, nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := inPatientCompartment(tt.typ, tt.id, []byte(tt.body), tt.patients)
			if tt.wantErr {
				require.Error(t, err)
				require.Contains(t, err.Error(), "export: "+tt.typ+"/"+tt.id)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
