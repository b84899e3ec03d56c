package search

import "testing"

func TestInCompartmentOf(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       bool
	}{
		{"the patient itself", `{"resourceType":"Patient","id":"p1"}`, true},
		{"another patient", `{"resourceType":"Patient","id":"p2"}`, false},
		{"observation of the patient", `{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p1"}}`, true},
		{"observation of another patient", `{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p2"}}`, false},
		{"performer is a compartment parameter too", `{"resourceType":"Observation","id":"o3","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p2"},"performer":[{"reference":"Patient/p1"}]}`, true},
		{"encounter of the patient", `{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"}}`, true},
		{"a type outside the compartment", `{"resourceType":"Organization","id":"org","name":"Patient/p1"}`, false},
		{"an absolute reference", `{"resourceType":"Condition","id":"c1","subject":{"reference":"http://x.org/fhir/Patient/p1"}}`, true},
	} {
		got, err := InCompartmentOf([]byte(tc.body), "Patient", "p1")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s: InCompartmentOf = %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := InCompartmentOf([]byte(`[1]`), "Patient", "p1"); err == nil {
		t.Error("a JSON array is not a resource: want an error")
	}
}
