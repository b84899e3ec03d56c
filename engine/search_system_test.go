package engine

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/search"
)

// TestSearchSystem: a search across types (search.NewSystemPlan) unions
// each type's matches as Type/id, in order, paged by a Type/id cursor,
// with the count of all of them.
func TestSearchSystem(t *testing.T) {
	for _, clustered := range []bool{false, true} {
		clusterFixtures = clustered
		e := newSearchEnv(t)
		clusterFixtures = false
		plan := func(query, after string, types ...string) *search.Plan {
			q, err := url.ParseQuery(query)
			require.NoError(t, err)
			var qs []*search.Query
			for _, typ := range types {
				sq, err := search.ParseQuery(typ, q, false)
				require.NoError(t, err)
				qs = append(qs, sq)
			}
			p, err := search.NewSystemPlan(qs, "clinic", after)
			require.NoError(t, err)
			return p
		}
		all := func(query string, types ...string) []string {
			pg, err := e.SearchPage(context.Background(), "clinic", plan(query, "", types...), 100, 0, true)
			require.NoError(t, err)
			require.Equal(t, len(pg.IDs), pg.Total)
			return pg.IDs
		}
		require.Equal(t, []string{"Observation/o1", "Patient/p1"}, all("_id=p1,o1", "Patient", "Observation"))
		require.Equal(t, []string{"Observation/o2", "Patient/p1", "Patient/p3"}, all("_list=l1", "Patient", "Observation", "Practitioner"))
		require.Equal(t, []string{"Patient/p1", "Patient/p2", "Patient/p3", "Practitioner/dr1"}, all("", "Practitioner", "Patient"))

		// Pages of two follow the cursor; the count is of every match.
		var walked []string
		after := ""
		for range 5 {
			pg, err := e.SearchPage(context.Background(), "clinic", plan("", after, "Patient", "Observation", "Practitioner"), 2, 0, true)
			require.NoError(t, err)
			require.Equal(t, 7, pg.Total)
			walked = append(walked, pg.IDs...)
			if after = pg.Next; after == "" {
				break
			}
		}
		require.Equal(t, []string{"Observation/o1", "Observation/o2", "Observation/o3", "Patient/p1", "Patient/p2", "Patient/p3", "Practitioner/dr1"}, walked)
	}
	q, err := search.ParseQuery("Patient", url.Values{"_sort": {"_id"}}, true)
	require.NoError(t, err)
	_, err = search.NewSystemPlan([]*search.Query{q}, "clinic", "")
	var qe *search.QueryError
	require.ErrorAs(t, err, &qe)
	q, err = search.ParseQuery("Patient", url.Values{}, true)
	require.NoError(t, err)
	for _, bad := range []string{"p1", "Nope/p1", "Patient/", "Patient/a b"} {
		_, err = search.NewSystemPlan([]*search.Query{q}, "clinic", bad)
		require.ErrorAs(t, err, &qe, bad)
	}
}
