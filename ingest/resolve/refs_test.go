package resolve

import (
	"testing"

	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

func TestScanRefs(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"none", `{"resourceType":"Patient","id":"a"}`, nil},
		{"one", `{"subject":{"reference":"Patient/1"}}`, []string{"Patient/1"}},
		{"blanks", `{"subject" : { "reference" :  "Patient/1" } }`, []string{"Patient/1"}},
		{"nested and several", `{"a":[{"reference":"X?identifier=s|v"},{"b":{"reference":"Y/2"}}]}`, []string{"X?identifier=s|v", "Y/2"}},
		{"escaped value", `{"r":{"reference":"Patient/a\"b"}}`, []string{`Patient/a"b`}},
		{"value named reference", `{"code":"reference","x":{"reference":"P/1"}}`, []string{"P/1"}},
		{"inside a string", `{"text":"a \"reference\": \"P/9\"","x":{"reference":"P/1"}}`, []string{"P/1"}},
		{"not a string", `{"reference":{"a":1}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range scanRefs([]byte(tt.in)) {
				got = append(got, r.value)
				require.Equal(t, byte('"'), tt.in[r.start])
				require.Equal(t, byte('"'), tt.in[r.end-1])
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseConditional(t *testing.T) {
	tests := []struct {
		in   string
		want conditional
		ok   bool
	}{
		{"Organization?identifier=https://github.com/synthetichealth/synthea|abc", conditional{"Organization", store.IdentifierQuery{System: "https://github.com/synthetichealth/synthea", Value: "abc"}}, true},
		{"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi%7C999", conditional{"Practitioner", store.IdentifierQuery{System: "http://hl7.org/fhir/sid/us-npi", Value: "999"}}, true},
		{"Patient?identifier=123", conditional{"Patient", store.IdentifierQuery{Value: "123", AnySystem: true}}, true},
		{"Patient?identifier=|123", conditional{"Patient", store.IdentifierQuery{Value: "123"}}, true},
		{"Patient?identifier=s|", conditional{}, false},
		{"Patient?name=x", conditional{}, false},
		{"Patient?identifier=a|1&name=x", conditional{}, false},
		{"Nope?identifier=a|1", conditional{}, false},
		{"Patient/1", conditional{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseConditional(tt.in)
			require.Equal(t, tt.ok, ok)
			if ok {
				require.Equal(t, tt.want, got)
			}
		})
	}
}

func TestHasIdentifierObject(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`{"identifier":[{"system":"s","value":"v"}]}`, false},
		{`{"x":{"identifier" : {"value":"v"}}}`, true},
		{`{"text":"\"identifier\":{"}`, false},
		{`{}`, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, hasIdentifierObject([]byte(tt.in)), tt.in)
	}
}

func TestWalk(t *testing.T) {
	body := `{"resourceType":"Claim","provider":{"reference":"Organization?identifier=s|1"},` +
		`"insurance":[{"coverage":{"type":"Coverage","identifier":{"system":"c","value":"9"}}}],` +
		`"careTeam":[{"provider":{"identifier":{"value":"7"}}}]}`
	sites, err := walk([]byte(body), "Claim")
	require.NoError(t, err)
	require.Len(t, sites, 3)
	require.Equal(t, "Claim.provider", sites[0].path)
	require.Equal(t, "Organization?identifier=s|1", sites[0].value)
	require.Equal(t, "Claim.insurance[0].coverage", sites[1].path)
	require.True(t, sites[1].identOnly)
	require.Equal(t, "Coverage", sites[1].refType)
	require.Equal(t, identifierValue{"c", "9"}, sites[1].ident)
	require.Equal(t, byte('{'), body[sites[1].obj])
	require.Equal(t, "Claim.careTeam[0].provider", sites[2].path)
	require.Equal(t, "", sites[2].refType)
}

func TestTargetType(t *testing.T) {
	tests := []struct{ path, want string }{
		{"Location.managingOrganization", "Organization"},
		{"Immunization.patient", "Patient"},
		{"Claim.insurance[0].coverage", "Coverage"},
		{"Encounter.serviceProvider", "Organization"},
		{"Encounter.location[2].location", "Location"},
		{"Encounter.participant[0].individual", ""},
		{"Observation.subject", ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, targetType(tt.path), tt.path)
	}
}
