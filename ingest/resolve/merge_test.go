package resolve

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

const tagJSON = `{"system":"https://fhirlake.dev/fhir/CodeSystem/import","code":"merged","display":"Merged with duplicates by business identifier"}`

func TestMergeInto(t *testing.T) {
	tests := []struct {
		name               string
		survivor, newcomer string
		want               string
	}{
		{
			name:     "fill and union",
			survivor: `{"resourceType":"Organization","id":"a","identifier":[{"system":"s","value":"1"}],"name":"A","telecom":[{"system":"phone","value":"1"}]}`,
			newcomer: `{"resourceType":"Organization","id":"b","identifier":[{"value":"1","system":"s"},{"system":"t","value":"2"}],"name":"B","telecom":[{"system":"phone","value":"2"}],"active":true}`,
			want:     `{"resourceType":"Organization","id":"a","meta":{"tag":[` + tagJSON + `]},"identifier":[{"system":"s","value":"1"},{"system":"t","value":"2"}],"name":"A","telecom":[{"system":"phone","value":"1"},{"system":"phone","value":"2"}],"active":true}`,
		},
		{
			name:     "meta merged, version stamp dropped",
			survivor: `{"resourceType":"Practitioner","id":"a","meta":{"versionId":"3","tag":[{"system":"x","code":"y"}]},"identifier":[{"system":"s","value":"1"}]}`,
			newcomer: `{"resourceType":"Practitioner","id":"b","meta":{"versionId":"9","lastUpdated":"2020-01-01T00:00:00Z","profile":["p"],"tag":[{"system":"x","code":"y"}]},"identifier":[{"system":"s","value":"1"}]}`,
			want:     `{"resourceType":"Practitioner","id":"a","meta":{"versionId":"3","tag":[{"system":"x","code":"y"},` + tagJSON + `],"profile":["p"]},"identifier":[{"system":"s","value":"1"}]}`,
		},
		{
			name:     "non-array kept from survivor",
			survivor: `{"resourceType":"Location","id":"a","address":{"city":"X"}}`,
			newcomer: `{"resourceType":"Location","id":"b","address":{"city":"Y"}}`,
			want:     `{"resourceType":"Location","id":"a","meta":{"tag":[` + tagJSON + `]},"address":{"city":"X"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mergeInto([]byte(tt.survivor), []byte(tt.newcomer))
			require.NoError(t, err)
			require.True(t, json.Valid(got), string(got))
			require.Equal(t, tt.want, string(got))
			again, err := mergeInto(got, []byte(tt.newcomer))
			require.NoError(t, err)
			require.Equal(t, string(got), string(again), "merging twice must change nothing")
			require.True(t, contained(got, []byte(tt.survivor)), "the survivor's content is kept")
		})
	}
}

func TestContained(t *testing.T) {
	full := `{"resourceType":"Organization","id":"a","meta":{"versionId":"2","lastUpdated":"2026-01-01T00:00:00.000Z","tag":[{"system":"x","code":"y"}]},"extension":[{"url":"u","valueInteger":1}],"identifier":[{"system":"s","value":"1"}],"name":"A","address":[{"city":"C","line":["1 Main"]}]}`
	tests := []struct {
		name     string
		incoming string
		want     bool
	}{
		{"same minus extension", `{"resourceType":"Organization","id":"a","meta":{"tag":[{"system":"x","code":"y"}]},"identifier":[{"system":"s","value":"1"}],"name":"A","address":[{"line":["1 Main"],"city":"C"}]}`, true},
		{"other version stamp ignored", `{"resourceType":"Organization","id":"a","meta":{"versionId":"7"},"name":"A"}`, true},
		{"changed name", `{"resourceType":"Organization","id":"a","name":"B"}`, false},
		{"extra element", `{"resourceType":"Organization","id":"a","active":true}`, false},
		{"extra array element", `{"resourceType":"Organization","id":"a","identifier":[{"system":"s","value":"2"}]}`, false},
		{"number spelled differently", `{"resourceType":"Organization","id":"a","extension":[{"url":"u","valueInteger":1.0}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, contained([]byte(full), []byte(tt.incoming)))
		})
	}
}
