package linkage

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestApply(t *testing.T) {
	const ext = `"extension":[{"url":"https://fhirlake.dev/fhir/StructureDefinition/link-score","valueDecimal":`
	for _, c := range []struct {
		name        string
		body        string
		links       []LinkTo
		want        string
		wantChanged bool
		wantErr     string
	}{
		{
			name:        "first link, members kept in order",
			body:        `{"resourceType":"Patient","id":"a","meta":{"versionId":"3"},"gender":"male"}`,
			links:       []LinkTo{{Other: "b", Score: 31.256}},
			want:        `{"resourceType":"Patient","id":"a","meta":{"versionId":"3"},"gender":"male","link":[{` + ext + `31.26}],"other":{"reference":"Patient/b"},"type":"seealso"}]}`,
			wantChanged: true,
		},
		{
			name:        "existing link kept, new one appended in place",
			body:        `{"resourceType":"Patient","id":"a","link":[{"other":{"reference":"Patient/z"},"type":"replaced-by"}],"active":true}`,
			links:       []LinkTo{{Other: "b", Score: 20}},
			want:        `{"resourceType":"Patient","id":"a","link":[{"other":{"reference":"Patient/z"},"type":"replaced-by"},{` + ext + `20.00}],"other":{"reference":"Patient/b"},"type":"seealso"}],"active":true}`,
			wantChanged: true,
		},
		{
			name:  "already linked by any type",
			body:  `{"resourceType":"Patient","id":"a","link":[{"other":{"reference":"Patient/b"},"type":"refer"}]}`,
			links: []LinkTo{{Other: "b", Score: 25}},
			want:  `{"resourceType":"Patient","id":"a","link":[{"other":{"reference":"Patient/b"},"type":"refer"}]}`,
		},
		{
			name:  "already linked by absolute reference",
			body:  `{"resourceType":"Patient","id":"a","link":[{"other":{"reference":"https://x.org/fhir/Patient/b"},"type":"seealso"}]}`,
			links: []LinkTo{{Other: "b", Score: 25}},
			want:  `{"resourceType":"Patient","id":"a","link":[{"other":{"reference":"https://x.org/fhir/Patient/b"},"type":"seealso"}]}`,
		},
		{
			name:  "nothing to add",
			body:  `{"resourceType":"Patient","id":"a"}`,
			links: nil,
			want:  `{"resourceType":"Patient","id":"a"}`,
		},
		{
			name:        "same link twice in one call",
			body:        `{"resourceType":"Patient","id":"a"}`,
			links:       []LinkTo{{Other: "b", Score: 21}, {Other: "b", Score: 21}},
			want:        `{"resourceType":"Patient","id":"a","link":[{` + ext + `21.00}],"other":{"reference":"Patient/b"},"type":"seealso"}]}`,
			wantChanged: true,
		},
		{name: "not an object", body: `[]`, links: []LinkTo{{Other: "b"}}, wantErr: "not a JSON object"},
		{name: "link not an array", body: `{"link":{}}`, links: []LinkTo{{Other: "b"}}, wantErr: "Patient.link"},
		{name: "truncated", body: `{"id":"a",`, links: []LinkTo{{Other: "b"}}, wantErr: "linkage: apply"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, changed, err := Apply([]byte(c.body), c.links)
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, string(got))
			require.Equal(t, c.wantChanged, changed)
			require.True(t, json.Valid(got))
			again, changedAgain, err := Apply(got, c.links)
			require.NoError(t, err)
			require.False(t, changedAgain, "idempotent")
			require.Equal(t, string(got), string(again))
		})
	}
}

func TestLinksByPatient(t *testing.T) {
	got := LinksByPatient([]Match{
		{A: "a", B: "b", Score: 30, Decision: Link},
		{A: "a", B: "c", Score: 15, Decision: Possible},
		{A: "b", B: "d", Score: 22, Decision: Link},
	})
	require.Equal(t, map[string][]LinkTo{
		"a": {{Other: "b", Score: 30}},
		"b": {{Other: "a", Score: 30}, {Other: "d", Score: 22}},
		"d": {{Other: "b", Score: 22}},
	}, got)
	links, possibles := Split([]Match{{A: "x", Decision: Possible}, {A: "y", Decision: Link}})
	require.Equal(t, []Match{{A: "y", Decision: Link}}, links)
	require.Equal(t, []Match{{A: "x", Decision: Possible}}, possibles)
}
