package export

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseKickoff(t *testing.T) {
	since := time.Date(2024, 1, 31, 11, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		params  []param
		level   string
		strict  bool
		want    kickoff
		wantErr string
	}{
		{name: "none", level: levelSystem},
		{name: "formats", level: levelSystem, params: []param{
			{"_outputFormat", "application/fhir+ndjson"}, {"_outputFormat", "application/ndjson"},
			{"_outputFormat", "ndjson"}, {"_outputFormat", "application/fhir ndjson"}, {"_outputFormat", "Application/FHIR+NDJSON"},
		}},
		{name: "bad format", level: levelSystem, params: []param{{"_outputFormat", "application/fhir+json"}}, wantErr: "_outputFormat"},
		{name: "since", level: levelSystem, params: []param{{"_since", "2024-01-31T12:00:00+01:00"}}, want: kickoff{since: &since}},
		{name: "since space", level: levelSystem, params: []param{{"_since", "2024-01-31T12:00:00 01:00"}}, want: kickoff{since: &since}},
		{name: "since fraction", level: levelSystem, params: []param{{"_since", "2024-01-31T11:00:00.000000Z"}}, want: kickoff{since: &since}},
		{name: "since date", level: levelSystem, params: []param{{"_since", "2024-01-31"}}, wantErr: "_since"},
		{name: "since minutes", level: levelSystem, params: []param{{"_since", "2024-01-31T12:00Z"}}, wantErr: "_since"},
		{name: "since day 31 of February", level: levelSystem, params: []param{{"_since", "2024-02-31T12:00:00Z"}}, wantErr: "_since"},
		{name: "types", level: levelSystem, params: []param{{"_type", "Patient, Observation,,Patient"}, {"_type", "Encounter"}},
			want: kickoff{types: []string{"Patient", "Observation", "Encounter"}}},
		{name: "unknown type", level: levelSystem, params: []param{{"_type", "patient"}}, wantErr: `"patient"`},
		{name: "lenient", level: levelSystem, params: []param{{"_typeFilter", "Patient?x=y"}, {"includeAssociatedData", "LatestProvenanceResources"}},
			want: kickoff{warnings: []string{
				"parameter _typeFilter is not supported; it was ignored",
				"parameter includeAssociatedData is not supported; it was ignored"}}},
		{name: "strict", level: levelSystem, strict: true, params: []param{{"_elements", "id"}}, wantErr: "_elements is not supported"},
		{name: "patient at system level", level: levelSystem, params: []param{{"patient", "Patient/1"}},
			want: kickoff{warnings: []string{"parameter patient is not applicable to a system-level export; it was ignored"}}},
		{name: "patients", level: levelGroup, params: []param{{"patient", "Patient/1"}, {"patient", "http://h/fhir/Patient/2"}},
			want: kickoff{patients: []string{"1", "2"}}},
		{name: "bad patient", level: levelPatient, params: []param{{"patient", "Practitioner/1"}}, wantErr: "Practitioner/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseKickoff(tt.params, tt.level, tt.strict)
			if tt.wantErr != "" {
				var pe *paramError
				require.ErrorAs(t, err, &pe)
				require.Contains(t, pe.msg, tt.wantErr)
				return
			}
			require.NoError(t, err)
			if tt.want.since != nil {
				require.True(t, tt.want.since.Equal(*got.since), got.since)
				got.since, tt.want.since = nil, nil
			}
			require.Equal(t, tt.want, got)
		})
	}
}
