package api

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCareDateParam(t *testing.T) {
	tests := []struct{ typ, want string }{
		{"Observation", "date"},
		{"Encounter", "date"},
		{"Procedure", "date"},
		{"Condition", "onset-date"},
		{"MedicationRequest", "authoredon"},
		{"Claim", "created"},
		{"Specimen", "collected"},
		{"MedicationAdministration", "effective-time"},
		{"Goal", "start-date"},
		{"Patient", ""},
		{"RelatedPerson", ""},
		{"Coverage", ""},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			require.Equal(t, tt.want, careDateParam(tt.typ))
		})
	}
}

func TestCareDateCriteria(t *testing.T) {
	tests := []struct {
		code, start, end string
		want             url.Values
		wantErr          string
	}{
		{code: "date", start: "2020", end: "2021-06-30", want: url.Values{"date": {"ge2020", "le2021-06-30"}}},
		{code: "date", start: "2020-01-01", want: url.Values{"date": {"ge2020-01-01"}}},
		{code: "onset-date", end: "2019", want: url.Values{"onset-date": {"le2019"}}},
		{code: "", start: "2020", end: "2021", want: url.Values{}},
		{code: "date", want: url.Values{}},
		{code: "date", start: "yesterday", wantErr: `start "yesterday" is not a FHIR date`},
		{code: "", end: "2020-13", wantErr: `end "2020-13" is not a FHIR date`},
		{code: "date", start: "ge2020", wantErr: `start "ge2020"`},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.start+"/"+tt.end, func(t *testing.T) {
			got, err := careDateCriteria(tt.code, tt.start, tt.end)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
