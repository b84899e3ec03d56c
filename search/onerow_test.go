package search

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOneRow(t *testing.T) {
	for _, tc := range []struct {
		typ, code string
		want      bool
	}{
		{"Observation", "subject", true},         // Reference 0..1
		{"Observation", "patient", true},         // .where(resolve() is Patient)
		{"Observation", "encounter", true},       //
		{"Observation", "status", true},          // code
		{"Observation", "code", false},           // CodeableConcept: a row per coding
		{"Observation", "performer", false},      // 0..*
		{"Observation", "value-quantity", false}, // a union (with SampledData)
		{"Observation", "date", false},           // effective[x] includes Timing
		{"Patient", "birthdate", true},           // date
		{"Patient", "name", false},               // HumanName
		{"Patient", "identifier", false},         // 0..*
		{"Patient", "general-practitioner", false},
		{"Encounter", "subject", true},
		{"Condition", "onset-date", false},            // a union of choices
		{"Observation", "code-value-quantity", false}, // composite
	} {
		p, ok := Lookup(tc.typ, tc.code)
		require.True(t, ok, tc.code)
		require.Equal(t, tc.want, p.oneRow(), "%s.%s: %s", tc.typ, tc.code, p.Expression)
	}
}
