package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/search"
	"github.com/fhirlake/fhirlake/store"
)

// refsSearcher fails every plan (a search by id alone must not reach the
// engine) and answers includes with fixed references.
type refsSearcher struct {
	refs  [][2]string
	plans *int
}

func (s refsSearcher) Search(ctx context.Context, ds string, p *search.Plan, limit, offset int, count bool) ([]string, int, error) {
	pg, err := s.SearchPage(ctx, ds, p, limit, offset, count)
	return pg.IDs, pg.Total, err
}

func (s refsSearcher) SearchPage(context.Context, string, *search.Plan, int, int, bool) (search.Page, error) {
	*s.plans++
	return search.Page{Total: -1}, nil
}

func (s refsSearcher) SearchRefs(context.Context, string, string, []any) ([][2]string, error) {
	return s.refs, nil
}

// TestSearchByIDReadsTheStore: `_id=a,b` alone is answered from the raw
// store, by key: existing resources in id order, not deleted or unknown
// ones, includes still joined by the engine; anything more goes to the
// engine.
func TestSearchByIDReadsTheStore(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	for _, id := range []string{"p1", "p2", "p3"} {
		_, err := s.Put(ctx, []store.Input{{Type: "Patient", ID: id, Body: []byte(`{"resourceType":"Patient","id":"` + id + `"}`)}})
		require.NoError(t, err)
	}
	_, err := s.Put(ctx, []store.Input{{Type: "Encounter", ID: "e1", Body: []byte(`{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p3"}}`)}})
	require.NoError(t, err)
	_, err = s.Delete(ctx, "Patient", "p2")
	require.NoError(t, err)
	plans := 0
	h := NewHandler(datastores{"main": s}, Options{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Searcher: refsSearcher{refs: [][2]string{{"Encounter", "e1"}}, plans: &plans},
	})
	type bundle struct {
		Total int `json:"total"`
		Entry []struct {
			FullURL string `json:"fullUrl"`
			Search  struct {
				Mode string `json:"mode"`
			} `json:"search"`
		} `json:"entry"`
	}
	get := func(target string) bundle {
		rec := do(h, "GET", target, http.Header{"Accept": {"application/fhir+json"}})
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var b bundle
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &b))
		return b
	}
	b := get("/fhir/main/Patient?_id=p3,p2,nope,p1,p3&_revinclude=Encounter:subject")
	require.Equal(t, 2, b.Total)
	var got []string
	for _, e := range b.Entry {
		_, ref, _ := strings.Cut(e.FullURL, "/fhir/main/")
		got = append(got, e.Search.Mode+" "+ref)
	}
	require.Equal(t, []string{"match Patient/p1", "match Patient/p3", "include Encounter/e1"}, got)
	require.Zero(t, plans, "a search by id alone never runs a plan")

	get("/fhir/main/Patient?_id=p1&gender=female")
	require.Equal(t, 1, plans, "other criteria run the plan")
	get("/fhir/main/Patient?_id=p1,p3&_count=1")
	require.Equal(t, 2, plans, "more ids than a page run the plan, which pages")
}
