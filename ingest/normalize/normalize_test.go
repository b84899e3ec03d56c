package normalize

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

const tag = `"meta":{"tag":[` + tagJSON + `]}`

// TestNormalizeRules runs each rule on a resource fragment.
func TestNormalizeRules(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    Options
		in      string
		want    string // "" when the input must come back unchanged
		changes []Change
	}{
		{
			name:    "date padded",
			in:      `{"resourceType":"Patient","id":"p","birthDate":"2020-3-5"}`,
			want:    `{"resourceType":"Patient","id":"p",` + tag + `,"birthDate":"2020-03-05"}`,
			changes: []Change{{"Patient.birthDate", "2020-3-5", "2020-03-05", RuleDate}},
		},
		{
			name: "year-month kept",
			in:   `{"resourceType":"Patient","birthDate":"2020-03"}`,
		},
		{
			name: "dateTime zone and z",
			in:   `{"resourceType":"Observation","status":"final","code":{"text":"x"},"effectiveDateTime":"2020-03-05T10:00:00+0000","issued":"2020-03-05t10:00:00.5z"}`,
			want: `{"resourceType":"Observation",` + tag + `,"status":"final","code":{"text":"x"},"effectiveDateTime":"2020-03-05T10:00:00+00:00","issued":"2020-03-05T10:00:00.5Z"}`,
			changes: []Change{
				{"Observation.effectiveDateTime", "2020-03-05T10:00:00+0000", "2020-03-05T10:00:00+00:00", RuleDate},
				{"Observation.issued", "2020-03-05t10:00:00.5z", "2020-03-05T10:00:00.5Z", RuleDate},
			},
		},
		{
			name:    "space and no seconds with zone",
			in:      `{"resourceType":"Encounter","period":{"start":"2020-03-05 10:00 UTC"}}`,
			want:    `{"resourceType":"Encounter",` + tag + `,"period":{"start":"2020-03-05T10:00:00Z"}}`,
			changes: []Change{{"Encounter.period.start", "2020-03-05 10:00 UTC", "2020-03-05T10:00:00Z", RuleDate}},
		},
		{
			name: "dateTime without zone left for validation",
			in:   `{"resourceType":"Encounter","period":{"start":"2020-03-05 10:00"}}`,
		},
		{
			name: "date-named string element untouched",
			in:   `{"resourceType":"Patient","name":[{"text":"2020-3-5"}]}`,
		},
		{
			name:    "coding system name and ICD case",
			in:      `{"resourceType":"Condition","subject":{"reference":"Patient/p"},"code":{"coding":[{"system":"SNOMED CT","code":"44054006"},{"system":"urn:oid:2.16.840.1.113883.6.90","code":" e11.9 "}]}}`,
			want:    `{"resourceType":"Condition",` + tag + `,"subject":{"reference":"Patient/p"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"},{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"E11.9"}]}}`,
			changes: []Change{{"Condition.code.coding[0].system", "SNOMED CT", "http://snomed.info/sct", RuleCodeSystem}, {"Condition.code.coding[1].system", "urn:oid:2.16.840.1.113883.6.90", "http://hl7.org/fhir/sid/icd-10-cm", RuleCodeSystem}, {"Condition.code.coding[1].code", " e11.9 ", "e11.9", RuleCodeSpace}, {"Condition.code.coding[1].code", "e11.9", "E11.9", RuleCodeCase}},
		},
		{
			name: "unknown system keeps case",
			in:   `{"resourceType":"Condition","code":{"coding":[{"system":"http://example.org/local","code":"abc"}]}}`,
		},
		{
			name:    "required code case",
			in:      `{"resourceType":"Patient","gender":"Male"}`,
			want:    `{"resourceType":"Patient",` + tag + `,"gender":"male"}`,
			changes: []Change{{"Patient.gender", "Male", "male", RuleRequiredCode}},
		},
		{
			name:    "code whitespace",
			in:      `{"resourceType":"Observation","status":" final\t"}`,
			want:    `{"resourceType":"Observation",` + tag + `,"status":"final"}`,
			changes: []Change{{"Observation.status", " final\t", "final", RuleCodeSpace}},
		},
		{
			name:    "ucum code fixed, system added",
			in:      `{"resourceType":"Observation","valueQuantity":{"value":5.0,"unit":"mg/dl","code":"MG/DL"}}`,
			want:    `{"resourceType":"Observation",` + tag + `,"valueQuantity":{"value":5.0,"unit":"mg/dl","code":"mg/dL","system":"http://unitsofmeasure.org"}}`,
			changes: []Change{{"Observation.valueQuantity.code", "MG/DL", "mg/dL", RuleUCUM}, {"Observation.valueQuantity.system", "", ucumURI, RuleUCUM}},
		},
		{
			name:    "ucum code from unit",
			in:      `{"resourceType":"Observation","component":[{"code":{"text":"bp"},"valueQuantity":{"value":120,"unit":"mmHg"}}]}`,
			want:    `{"resourceType":"Observation",` + tag + `,"component":[{"code":{"text":"bp"},"valueQuantity":{"value":120,"unit":"mmHg","code":"mm[Hg]","system":"http://unitsofmeasure.org"}}]}`,
			changes: []Change{{"Observation.component[0].valueQuantity.code", "", "mm[Hg]", RuleUCUM}, {"Observation.component[0].valueQuantity.system", "", ucumURI, RuleUCUM}},
		},
		{
			name:    "ucum system alias",
			in:      `{"resourceType":"Observation","valueQuantity":{"value":150,"unit":"lbs","system":"UCUM","code":"lbs"}}`,
			want:    `{"resourceType":"Observation",` + tag + `,"valueQuantity":{"value":150,"unit":"lbs","system":"http://unitsofmeasure.org","code":"[lb_av]"}}`,
			changes: []Change{{"Observation.valueQuantity.system", "UCUM", ucumURI, RuleCodeSystem}, {"Observation.valueQuantity.code", "lbs", "[lb_av]", RuleUCUM}},
		},
		{
			name: "quantity of another system",
			in:   `{"resourceType":"Observation","valueQuantity":{"value":1,"system":"http://example.org/u","code":"mg/dl"}}`,
		},
		{
			name: "quantity with a non-string system is left alone",
			in:   `{"resourceType":"Observation","valueQuantity":{"value":1,"unit":"mg/dl","system":7}}`,
		},
		{
			name: "coding with a repeated code is left alone",
			in:   `{"resourceType":"Condition","code":{"coding":[{"system":"SNOMED","code":"1","code":"2"}]}}`,
		},
		{
			name: "canonical ucum",
			in:   `{"resourceType":"Observation","valueQuantity":{"value":1,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}}`,
		},
		{
			name:    "age in an extension",
			in:      `{"resourceType":"Patient","extension":[{"url":"http://x","valueAge":{"value":3,"unit":"years"}}]}`,
			want:    `{"resourceType":"Patient",` + tag + `,"extension":[{"url":"http://x","valueAge":{"value":3,"unit":"years","code":"a","system":"http://unitsofmeasure.org"}}]}`,
			changes: []Change{{"Patient.extension[0].valueAge.code", "", "a", RuleUCUM}, {"Patient.extension[0].valueAge.system", "", ucumURI, RuleUCUM}},
		},
		{
			name:    "phone national digits",
			in:      `{"resourceType":"Patient","telecom":[{"system":"Phone","value":"(555) 123-4567"},{"system":"email","value":" Jo.Doe@Example.COM "}]}`,
			want:    `{"resourceType":"Patient",` + tag + `,"telecom":[{"system":"phone","value":"5551234567"},{"system":"email","value":"Jo.Doe@example.com"}]}`,
			changes: []Change{{"Patient.telecom[0].system", "Phone", "phone", RuleRequiredCode}, {"Patient.telecom[0].value", "(555) 123-4567", "5551234567", RulePhone}, {"Patient.telecom[1].value", " Jo.Doe@Example.COM ", "Jo.Doe@example.com", RuleEmail}},
		},
		{
			name:    "phone with calling code",
			opts:    Options{CallingCode: "1", TrunkPrefix: "1"},
			in:      `{"resourceType":"Patient","telecom":[{"system":"sms","value":"1-555-123-4567"},{"system":"phone","value":"555 123 4567 ext 2"}]}`,
			want:    `{"resourceType":"Patient",` + tag + `,"telecom":[{"system":"sms","value":"+15551234567"},{"system":"phone","value":"555 123 4567 ext 2"}]}`,
			changes: []Change{{"Patient.telecom[0].value", "1-555-123-4567", "+15551234567", RulePhone}},
		},
		{
			name: "url contact untouched",
			in:   `{"resourceType":"Patient","telecom":[{"system":"url","value":"HTTP://X.ORG "}]}`,
		},
		{
			name:    "contained resource and existing meta",
			in:      `{"resourceType":"Patient","meta":{"versionId":"1"},"contained":[{"resourceType":"Patient","birthDate":"1990-1-2"}]}`,
			want:    `{"resourceType":"Patient","meta":{"versionId":"1","tag":[` + tagJSON + `]},"contained":[{"resourceType":"Patient","birthDate":"1990-01-02"}]}`,
			changes: []Change{{"Patient.contained[0].birthDate", "1990-1-2", "1990-01-02", RuleDate}},
		},
		{
			name:    "existing tags and bundle entry",
			in:      `{"resourceType":"Bundle","meta":{"tag":[{"code":"x"}]},"type":"collection","entry":[{"resource":{"resourceType":"Patient","gender":"FEMALE"}}]}`,
			want:    `{"resourceType":"Bundle","meta":{"tag":[{"code":"x"},` + tagJSON + `]},"type":"collection","entry":[{"resource":{"resourceType":"Patient","gender":"female"}}]}`,
			changes: []Change{{"Bundle.entry[0].resource.gender", "FEMALE", "female", RuleRequiredCode}},
		},
		{
			name:    "already tagged, empty meta tag list elsewhere",
			in:      `{"resourceType":"Patient","meta":{"tag":[` + tagJSON + `]},"birthDate":"2000-1-1"}`,
			want:    `{"resourceType":"Patient","meta":{"tag":[` + tagJSON + `]},"birthDate":"2000-01-01"}`,
			changes: []Change{{"Patient.birthDate", "2000-1-1", "2000-01-01", RuleDate}},
		},
		{
			name:    "primitive extension and timing array",
			in:      `{"resourceType":"MedicationRequest","_authoredOn":{"extension":[{"url":"u","valueDateTime":"2020-01-01T00:00:00z"}]},"dosageInstruction":[{"timing":{"event":["2020-1-1",null]}}]}`,
			want:    `{"resourceType":"MedicationRequest",` + tag + `,"_authoredOn":{"extension":[{"url":"u","valueDateTime":"2020-01-01T00:00:00Z"}]},"dosageInstruction":[{"timing":{"event":["2020-01-01",null]}}]}`,
			changes: []Change{{"MedicationRequest.authoredOn.extension[0].valueDateTime", "2020-01-01T00:00:00z", "2020-01-01T00:00:00Z", RuleDate}, {"MedicationRequest.dosageInstruction[0].timing.event[0]", "2020-1-1", "2020-01-01", RuleDate}},
		},
		{
			name:    "escaped strings and whitespace kept",
			in:      "{\n  \"resourceType\": \"Patient\",\n  \"id\": \"a\",\n  \"name\": [{\"text\": \"\\u00e9\\\"\"}],\n  \"gender\": \"\\u004dale\"\n}",
			want:    "{\n  \"resourceType\": \"Patient\",\n  \"id\": \"a\"," + tag + ",\n  \"name\": [{\"text\": \"\\u00e9\\\"\"}],\n  \"gender\": \"male\"\n}",
			changes: []Change{{"Patient.gender", "Male", "male", RuleRequiredCode}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, changes, err := New(tc.opts).Normalize([]byte(tc.in))
			require.NoError(t, err)
			want := tc.want
			if want == "" {
				want = tc.in
			}
			require.Equal(t, want, string(out))
			require.Equal(t, tc.changes, changes)
			require.True(t, json.Valid(out))
			again, more, err := New(tc.opts).Normalize(out)
			require.NoError(t, err)
			require.Empty(t, more, "second pass")
			require.Equal(t, string(out), string(again))
		})
	}
}

// TestNormalizeUnchangedIsSameSlice checks the dedup contract.
func TestNormalizeUnchangedIsSameSlice(t *testing.T) {
	in := []byte(`{"resourceType":"Patient","birthDate":"2020-03-05"}`)
	out, changes, err := New(Options{}).Normalize(in)
	require.NoError(t, err)
	require.Nil(t, changes)
	require.Same(t, &in[0], &out[0])
}

// TestNormalizeConcurrent shares one Normalizer between goroutines (run
// with -race).
func TestNormalizeConcurrent(t *testing.T) {
	n := New(Options{CallingCode: "1", TrunkPrefix: "1"})
	in := []byte(`{"resourceType":"Patient","gender":"Male","telecom":[{"system":"phone","value":"555-123-4567"}]}`)
	want, _, err := n.Normalize(in)
	require.NoError(t, err)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 200 {
				out, _, err := n.Normalize(in)
				if err == nil && string(out) != string(want) {
					err = errors.New("different output")
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		require.NoError(t, <-errs)
	}
}

// TestNormalizeErrors covers bodies that are not resources.
func TestNormalizeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"empty", ``},
		{"array", `[]`},
		{"no resourceType", `{"id":"x"}`},
		{"unknown type", `{"resourceType":"Nope"}`},
		{"truncated", `{"resourceType":"Patient","birthDate":"2020`},
		{"trailing data", `{"resourceType":"Patient"} x`},
		{"bad number", `{"resourceType":"Patient","x":01}`},
		{"bad escape", `{"resourceType":"Patient","x":"\q"}`},
		{"control char", "{\"resourceType\":\"Patient\",\"x\":\"a\x01\"}"},
		{"missing comma", `{"resourceType":"Patient" "x":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := New(Options{}).Normalize([]byte(tc.in))
			require.Error(t, err)
			require.True(t, errors.Is(err, ErrInvalid), "%v", err)
		})
	}
}
