package r4

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestElement(t *testing.T) {
	for _, tc := range []struct {
		path    string
		repeats bool
		types   []string
		ok      bool
	}{
		{"Observation.subject", false, []string{"Reference"}, true},
		{"Observation.code", false, []string{"CodeableConcept"}, true},
		{"Observation.performer", true, []string{"Reference"}, true},
		{"Observation.value", false, nil, true}, // a choice: checked below
		{"Observation.component.code", true, []string{"CodeableConcept"}, true},
		{"Patient.contact.name", true, []string{"HumanName"}, true},
		{"Patient.birthDate", false, []string{"date"}, true},
		{"Encounter.period.start", false, []string{"dateTime"}, true},
		{"Observation", false, nil, false},
		{"Observation.nope", false, nil, false},
		{"Nope.subject", false, nil, false},
		{"HumanName.family", false, nil, false}, // not a resource
	} {
		repeats, types, ok := Element(tc.path)
		require.Equal(t, tc.ok, ok, tc.path)
		require.Equal(t, tc.repeats, repeats, tc.path)
		if tc.types != nil {
			require.Equal(t, tc.types, types, tc.path)
		}
	}
	_, types, _ := Element("Observation.value")
	require.Contains(t, types, "Quantity")
	require.Greater(t, len(types), 5)
}

func TestValidPrimitive(t *testing.T) {
	for _, tc := range []struct {
		typ, value string
		want       bool
	}{
		{"date", "2020-02-29", true},
		{"date", "2021-02-29", false},
		{"dateTime", "2020-03-05T10:00:00+01:00", true},
		{"dateTime", "2020-03-05T10:00:00", false}, // a time needs a zone
		{"instant", "2020-03", false},
		{"id", "a b", false},
		{"string", "anything", true},
	} {
		require.Equal(t, tc.want, ValidPrimitive(tc.typ, tc.value), "%s %q", tc.typ, tc.value)
	}
}
