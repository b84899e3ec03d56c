package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pagingSet is what a walk over the next links of a search saw.
type pagingSet struct {
	ids    []string // the matches, in page order
	totals []int    // Bundle.total of each page
}

// searchPage is the part of a searchset Bundle the paging test reads.
type searchPage struct {
	Total int
	Link  []struct{ Relation, URL string }
	Entry []struct {
		Resource struct{ ID string }
		Search   struct{ Mode string }
	}
}

func (p *searchPage) link(rel string) string {
	for _, l := range p.Link {
		if l.Relation == rel {
			return l.URL
		}
	}
	return ""
}

// getSearchPage GETs one searchset page; it may run outside the test
// goroutine, so it returns errors instead of failing the test.
func getSearchPage(u string) (*searchPage, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	var p searchPage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	return &p, nil
}

// walkPages follows the next links from u, pausing between pages so that
// the index tables are refreshed during the walk.
func walkPages(t *testing.T, u string, pause time.Duration) pagingSet {
	t.Helper()
	var w pagingSet
	for pages := 0; u != ""; pages++ {
		require.Less(t, pages, 500, "too many pages")
		p, err := getSearchPage(u)
		require.NoError(t, err)
		for _, e := range p.Entry {
			if e.Search.Mode == "match" {
				w.ids = append(w.ids, e.Resource.ID)
			}
		}
		w.totals = append(w.totals, p.Total)
		u = p.link("next")
		if u != "" {
			nu, err := url.Parse(u)
			require.NoError(t, err)
			require.NotEmpty(t, nu.Query().Get("_after"), "next links carry a cursor")
			require.Empty(t, nu.Query().Get("_offset"), "next links carry no offset")
		}
		time.Sleep(pause)
	}
	return w
}

// pagingPatient is a Patient of the paging test: identifier urn:paging
// (which the searches select), a family name and a birth date, either
// possibly missing (sorted last), with many ties.
func pagingPatient(id string, family, birth string, note int) string {
	p := map[string]any{
		"resourceType": "Patient", "id": id,
		"identifier": []any{map[string]any{"system": "urn:paging", "value": id}},
		"telecom":    []any{map[string]any{"system": "phone", "value": fmt.Sprint(note)}},
	}
	if family != "" {
		p["name"] = []any{map[string]any{"family": family}}
	}
	if birth != "" {
		p["birthDate"] = birth
	}
	b, _ := json.Marshal(p)
	return string(b)
}

// volID is the id of volatile patient n: half of them sort before the
// stable ones (st-), half after, so that an unsorted walk meets writes
// on both sides of its cursor.
func volID(n int) string { return fmt.Sprintf("%c-vol-%03d", "av"[n%2], n) }

// stableKeys are the family and birth date of stable patient i.
func stableKeys(i int) (string, string) {
	family := []string{"Adams", "Baker", "", "Clark", "adams"}[i%5]
	birth := ""
	if i%4 != 3 {
		birth = fmt.Sprintf("19%02d-01-01", 50+i%6)
	}
	return family, birth
}

// TestSearchPagingUnderWrites walks searches page by page over HTTP while
// another goroutine creates, updates and deletes Patients that match
// them, and checks the paging rule of search.NewPlan: a resource that
// matches with the same sort keys during the whole walk appears exactly
// once, in its place in the order; the unsorted walk (by id, which never
// changes) repeats nothing at all; a sorted walk repeats only resources
// whose sort keys the writer changed.
func TestSearchPagingUnderWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "2", "--seed", "7", "--out", gen}, &out, &out), out.String())
	require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "demo", gen}, &out, &out), out.String())
	srv := startServe(t, "--data", data)
	base := "http://" + srv.httpAddr + "/fhir/demo"
	put := func(id, body string) error {
		return doWrite("PUT", base+"/Patient/"+id, body)
	}

	const stable = 30
	for i := range stable {
		family, birth := stableKeys(i)
		require.NoError(t, put(fmt.Sprintf("st-%02d", i), pagingPatient(fmt.Sprintf("st-%02d", i), family, birth, 0)))
	}
	for i := range 10 {
		id := volID(i)
		require.NoError(t, put(id, pagingPatient(id, "Baker", "1952-01-01", 0)))
	}
	search := base + "/Patient?identifier=urn:paging|"
	for deadline := time.Now().Add(30 * time.Second); ; {
		p, err := getSearchPage(search + "&_summary=count")
		require.NoError(t, err)
		if p.Total == stable+10 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the writes are not searchable after 30s (total %d)", p.Total)
		time.Sleep(50 * time.Millisecond)
	}

	// A tampered cursor is a 400 OperationOutcome.
	first, err := getSearchPage(search + "&_sort=-birthdate,family&_count=3")
	require.NoError(t, err)
	next, err := url.Parse(first.link("next"))
	require.NoError(t, err)
	q := next.Query()
	q.Set("_after", q.Get("_after")[:len(q.Get("_after"))-2]+"xy")
	next.RawQuery = q.Encode()
	status, _, body := httpDo(t, "GET", next.String(), "")
	require.Equal(t, 400, status, string(body))
	require.Contains(t, string(body), `"OperationOutcome"`)
	status, _, body = httpDo(t, "GET", search+"&_sort=family&_after="+url.QueryEscape(mustQuery(t, first.link("next")).Get("_after")), "")
	require.Equal(t, 400, status, "a cursor of another sort: %s", body)
	// An _offset request still works, and has a previous link.
	off, err := getSearchPage(search + "&_sort=-birthdate,family&_count=3&_offset=3")
	require.NoError(t, err)
	require.NotEmpty(t, off.link("previous"))
	require.NotEmpty(t, off.link("first"))
	require.Contains(t, off.link("self"), "_offset=3")

	// The writer: creates, updates (changing the sort keys) and deletes
	// volatile patients, and rewrites stable ones without changing what
	// the searches see of them. It runs during each walk, for at most
	// rounds rounds, so that the walk, which may meet every created
	// patient, ends.
	var mu sync.Mutex
	changed := map[string]bool{} // volatile ids whose sort keys changed
	n := 10
	writer := func(rounds int) (stop func() error) {
		done := make(chan struct{})
		var wg sync.WaitGroup
		var err error
		wg.Add(1)
		go func() {
			defer wg.Done()
			for end := n + rounds; n < end && err == nil; n++ {
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
				}
				id, old := volID(n), volID(n-10)
				family, birth := []string{"Aaron", "Baker", "Zed", ""}[n%4], fmt.Sprintf("19%02d-06-01", 40+n%30)
				st := fmt.Sprintf("st-%02d", n%stable)
				sf, sb := stableKeys(n % stable)
				mu.Lock()
				changed[old] = true
				mu.Unlock()
				for _, w := range []func() error{
					func() error { return put(id, pagingPatient(id, family, birth, n)) },
					func() error { return put(old, pagingPatient(old, family, birth, n)) },
					func() error { return doWrite("DELETE", base+"/Patient/"+volID(n-5), "") },
					func() error { return put(st, pagingPatient(st, sf, sb, n)) },
				} {
					if err = w(); err != nil {
						break
					}
				}
			}
		}()
		return func() error {
			close(done)
			wg.Wait()
			return err
		}
	}

	walks := map[string]pagingSet{}
	for _, sortBy := range []string{"", "-birthdate,family", "family,-birthdate,_id"} {
		u := search + "&_count=3"
		if sortBy != "" {
			u += "&_sort=" + sortBy
		}
		stop := writer(60)
		walks[sortBy] = walkPages(t, u, 60*time.Millisecond)
		require.NoError(t, stop())
	}

	for sortBy, w := range walks {
		t.Run("sort="+sortBy, func(t *testing.T) {
			require.Greater(t, len(slices.Compact(slices.Clone(w.totals))), 1,
				"the writes were not visible during the walk (totals %v): nothing was tested", w.totals)
			seen := map[string]int{}
			for _, id := range w.ids {
				seen[id]++
			}
			for id, n := range seen {
				if n > 1 {
					require.True(t, sortBy != "" && changed[id], "%s is on %d pages", id, n)
				}
			}
			// The stable patients: each exactly once, in the order of
			// a search made now (their keys have not changed).
			var got []string
			for _, id := range w.ids {
				if strings.HasPrefix(id, "st-") {
					got = append(got, id)
				}
			}
			u := search + "&_count=1000"
			if sortBy != "" {
				u += "&_sort=" + sortBy
			}
			all, err := getSearchPage(u)
			require.NoError(t, err)
			var want []string
			for _, e := range all.Entry {
				if strings.HasPrefix(e.Resource.ID, "st-") {
					want = append(want, e.Resource.ID)
				}
			}
			require.Len(t, want, stable, "total %d, %d entries, next %q", all.Total, len(all.Entry), all.link("next"))
			require.Equal(t, want, got)
		})
	}
}

// doWrite sends a FHIR write and fails unless it succeeds.
func doWrite(method, u, body string) error {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, b)
	}
	return nil
}

func mustQuery(t *testing.T, u string) url.Values {
	t.Helper()
	p, err := url.Parse(u)
	require.NoError(t, err)
	return p.Query()
}
