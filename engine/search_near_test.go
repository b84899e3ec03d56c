package engine

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/search"
)

// TestSearchNear: Location near by great-circle distance, in km by
// default, in other units, and with the server's default distance.
func TestSearchNear(t *testing.T) {
	e := newSearchEnvOf(t, map[string][]string{"Location": {
		`{"resourceType":"Location","id":"boston","position":{"latitude":42.3601,"longitude":-71.0589}}`,
		`{"resourceType":"Location","id":"cambridge","position":{"latitude":42.3736,"longitude":-71.1097}}`,
		`{"resourceType":"Location","id":"nyc","position":{"latitude":40.7128,"longitude":-74.0060}}`,
		`{"resourceType":"Location","id":"nowhere","name":"no position"}`,
	}})
	run := func(query string) []string {
		q, err := url.ParseQuery(query)
		require.NoError(t, err)
		sq, err := search.ParseQuery("Location", q, true)
		require.NoError(t, err)
		plan, err := search.NewPlan(sq, "clinic")
		require.NoError(t, err)
		ids, _, err := e.Search(context.Background(), "clinic", plan, 100, 0, false)
		require.NoError(t, err)
		return ids
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"near=42.3601|-71.0589|1|km", []string{"boston"}},
		{"near=42.3601|-71.0589|5", []string{"boston", "cambridge"}}, // Cambridge is ~4.5 km away
		{"near=42.3601|-71.0589|4000|m", []string{"boston"}},
		{"near=42.3601|-71.0589|300|km", []string{"boston", "cambridge"}}, // New York is ~306 km away
		{"near=42.3601|-71.0589|200|[mi_i]", []string{"boston", "cambridge", "nyc"}},
		{"near=42.3736|-71.1097", []string{"boston", "cambridge"}}, // the default 10 km
		{"near=0|0|100", nil},
		{"near:missing=true", []string{"nowhere"}},
	} {
		require.Equal(t, tc.want, run(tc.query), tc.query)
	}
	for _, bad := range []string{"near=42", "near=91|0", "near=0|181", "near=x|0", "near=0|0|5|furlong", "near=0|0|-1", "near=1|2|3|km|5"} {
		q, err := url.ParseQuery(bad)
		require.NoError(t, err)
		_, err = search.ParseQuery("Location", q, true)
		var qe *search.QueryError
		require.ErrorAs(t, err, &qe, bad)
		require.Equal(t, "near", qe.Param, bad)
	}
}
