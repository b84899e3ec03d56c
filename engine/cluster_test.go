package engine

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/search"
)

// clusterFixtures makes newSearchEnvOf serve clustered index files.
var clusterFixtures bool

// clusterViews replaces the files of search index views by clustered ones.
func clusterViews(t *testing.T, dsDir string, views []catalog.View) []catalog.View {
	t.Helper()
	c, err := NewClusterer(context.Background(), filepath.Dir(filepath.Dir(dsDir)), ClusterOptions{Threads: 2})
	require.NoError(t, err)
	defer c.Close()
	for i, v := range views {
		if v.Kind != catalog.KindSearch {
			continue
		}
		var rows int64
		for _, f := range v.Files {
			rows += countRows(t, c, filepath.Join(dsDir, f.Path))
		}
		out, err := c.ClusterIndex(context.Background(), dsDir, v.Files)
		require.NoError(t, err)
		var got int64
		for _, f := range out {
			require.True(t, f.Partitioned)
			require.True(t, strings.HasPrefix(f.Path, filepath.Join("views", "param=")), f.Path)
			_, err := os.Stat(filepath.Join(dsDir, f.Path))
			require.NoError(t, err)
			got += f.Rows
		}
		require.Equal(t, rows, got, "rows of %s", v.Name)
		views[i].Files, views[i].Layout = out, catalog.CurrentLayout
	}
	return views
}

func countRows(t *testing.T, c *Clusterer, path string) int64 {
	var n int64
	require.NoError(t, c.db.QueryRow("SELECT count(*) FROM read_parquet("+quoteLiteral(path)+")").Scan(&n))
	return n
}

// TestSearchClustered runs the search fixture suites over clustered index
// files: one file per parameter, hive-partitioned, sorted, without the
// param column; every search must find exactly what it finds unclustered.
func TestSearchClustered(t *testing.T) {
	clusterFixtures = true
	defer func() { clusterFixtures = false }()
	t.Run("matches", TestSearchMatches)
	t.Run("sort", TestSearchSortAndPages)
	t.Run("includes", TestSearchIncludes)
	t.Run("compartment", TestSearchCompartment)
}

// TestClusterIndexErrors: deletes files, already clustered files and mixed
// generations are refused.
func TestClusterIndexErrors(t *testing.T) {
	dir := t.TempDir()
	c, err := NewClusterer(context.Background(), dir, ClusterOptions{})
	require.NoError(t, err)
	defer c.Close()
	for _, files := range [][]catalog.File{
		{{Path: "views/x.parquet", Deletes: true}},
		{{Path: "views/param=code/x.parquet", Partitioned: true}},
		{{Path: "views/a.parquet", Gen: 1}, {Path: "views/b.parquet", Gen: 2}},
	} {
		_, err := c.ClusterIndex(context.Background(), dir, files)
		require.ErrorContains(t, err, "only the data files of one generation")
	}
	out, err := c.ClusterIndex(context.Background(), dir, nil)
	require.NoError(t, err)
	require.Empty(t, out)
	// A file outside the data folder cannot be read.
	_, err = c.ClusterIndex(context.Background(), dir, []catalog.File{{Path: "../../etc/passwd"}})
	require.Error(t, err)
}

// pinnedFixture has resources about one patient, about two (o4: subject
// p2, performer p1; its pat is ”), and about none (o5).
var pinnedFixture = map[string][]string{
	"Patient": {
		`{"resourceType":"Patient","id":"p1","gender":"female","link":[{"other":{"reference":"Patient/p3"},"type":"seealso"}]}`,
		`{"resourceType":"Patient","id":"p2","gender":"male"}`,
		`{"resourceType":"Patient","id":"p3","gender":"female"}`,
	},
	"Observation": {
		`{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/p1"}}`,
		`{"resourceType":"Observation","id":"o2","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/p2"}}`,
		`{"resourceType":"Observation","id":"o4","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/p2"},"performer":[{"reference":"Patient/p1"}]}`,
		`{"resourceType":"Observation","id":"o5","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Group/g1"}}`,
	},
}

// TestSearchPinned: searches pinned to a patient (search.pinnedPatient)
// narrow the table to the rows whose pat is that patient or ” — and
// find exactly what they would without, clustered or not.
func TestSearchPinned(t *testing.T) {
	for _, clustered := range []bool{false, true} {
		t.Run(fmt.Sprint("clustered=", clustered), func(t *testing.T) {
			clusterFixtures = clustered
			defer func() { clusterFixtures = false }()
			e := newSearchEnvOf(t, pinnedFixture)
			run := func(typ, query string, compartment string) []string {
				q, err := url.ParseQuery(query)
				require.NoError(t, err)
				sq, err := search.ParseQuery(typ, q, true)
				require.NoError(t, err)
				if compartment != "" {
					require.NoError(t, sq.InCompartment("Patient", compartment))
				}
				plan, err := search.NewPlan(sq, "clinic")
				require.NoError(t, err)
				ids, n, err := e.Search(context.Background(), "clinic", plan, 100, 0, true)
				require.NoError(t, err)
				require.Equal(t, len(ids), n, "a whole first page counts itself")
				// A one-row page leaves the count to the count query.
				one, n, err := e.Search(context.Background(), "clinic", plan, 1, 0, true)
				require.NoError(t, err)
				require.Equal(t, len(ids), n, "the count query")
				require.LessOrEqual(t, len(one), 1)
				return ids
			}
			for _, tc := range []struct {
				typ, query, compartment string
				want                    []string
			}{
				{"Observation", "patient=Patient/p1", "", []string{"o1"}},
				{"Observation", "subject=Patient/p2&code=8867-4", "", []string{"o2", "o4"}},
				{"Observation", "performer=Patient/p1", "", []string{"o4"}},
				{"Observation", "performer:Patient=p1", "", []string{"o4"}},
				{"Observation", "performer=Patient/p1&subject=Patient/p2", "", []string{"o4"}},
				{"Observation", "patient=Patient/p1&performer:missing=true", "", []string{"o1"}},
				{"Observation", "patient=Patient/p2&code:not=1234-5", "", []string{"o2", "o4"}},
				{"Observation", "code=8867-4", "p1", []string{"o1", "o4"}},
				{"Observation", "", "p2", []string{"o2", "o4"}},
				{"Observation", "subject=Group/g1", "", []string{"o5"}},
				{"Patient", "_id=p1", "", []string{"p1"}},
				{"Patient", "_id=p3", "", []string{"p3"}},
				{"Patient", "link=Patient/p3", "", []string{"p1"}},
				{"Patient", "", "p3", []string{"p1", "p3"}},
				// Unpinned, the copies of p1's and o4's rows (dup) count once.
				{"Patient", "", "", []string{"p1", "p2", "p3"}},
				{"Observation", "", "", []string{"o1", "o2", "o4", "o5"}},
				{"Observation", "code=8867-4", "", []string{"o1", "o2", "o4", "o5"}},
				{"Observation", "_sort=-code", "", []string{"o1", "o2", "o4", "o5"}},
				// One-row parameters alone skip DISTINCT, and the copies.
				{"Observation", "status=final", "", []string{"o1", "o2", "o4", "o5"}},
				{"Observation", "subject=Patient/p2,Group/g1", "", []string{"o2", "o4", "o5"}},
				{"Patient", "gender=female", "", []string{"p1", "p3"}},
			} {
				require.Equal(t, tc.want, run(tc.typ, tc.query, tc.compartment), "%s?%s in %q", tc.typ, tc.query, tc.compartment)
			}
		})
	}
}
