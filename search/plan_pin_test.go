package search

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPinnedPatient: which searches are narrowed to one patient's rows.
func TestPinnedPatient(t *testing.T) {
	for _, tc := range []struct {
		typ, query, want string
	}{
		{"Observation", "patient=Patient/p1", "p1"},
		{"Observation", "patient=p1", "p1"}, // patient targets Patient only
		{"Observation", "subject=Patient/p1&code=x", "p1"},
		{"Observation", "subject:Patient=p1", "p1"},
		{"Observation", "performer=Patient/p1", "p1"},
		{"Patient", "_id=p1", "p1"},
		{"Observation", "subject=p1", ""},             // any type
		{"Observation", "subject=Group/g1", ""},       // not a patient
		{"Observation", "patient=p1,p2", ""},          // several
		{"Observation", "patient:missing=false", ""},  // no value
		{"Observation", "patient.name=x", ""},         // a chain
		{"Observation", "subject:Patient.name=x", ""}, // a chain
		{"Patient", "_id=p1,p2", ""},                  // several
		{"Observation", "_id=o1", ""},                 // not a patient
		{"Observation", "code=x&patient=Patient/p2", "p2"},
	} {
		v, err := url.ParseQuery(tc.query)
		require.NoError(t, err)
		q, err := ParseQuery(tc.typ, v, true)
		require.NoError(t, err, tc.query)
		got, ok := pinnedPatient(q)
		require.Equal(t, tc.want != "", ok, "%s?%s", tc.typ, tc.query)
		require.Equal(t, tc.want, got, "%s?%s", tc.typ, tc.query)
	}
}
