package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestFHIRSearch searches generated data through the FHIR API and checks
// the matches against the SQL views of the same data.
func TestFHIRSearch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	// Cluster the bigger index tables (Observation's), not the smaller
	// (Patient's): searches read both kinds.
	t.Setenv("FHIRLAKE_CLUSTER_MIN_ROWS", "2000")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "12", "--seed", "3", "--out", gen}, &out, &out), out.String())
	require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "demo", gen}, &out, &out), out.String())
	srv := startServe(t, "--data", data)
	base := "http://" + srv.httpAddr + "/fhir/demo"
	conn, err := pgx.Connect(ctx, "postgres://fhirlake@"+srv.pgAddr+"/demo?sslmode=disable")
	require.NoError(t, err)
	defer conn.Close(ctx)
	sqlIDs := func(sql string, args ...any) []string {
		rows, err := conn.Query(ctx, sql, args...)
		require.NoError(t, err)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		return ids
	}
	type searchset struct {
		Total int
		Link  []struct{ Relation, URL string }
		Entry []struct {
			Resource struct{ ResourceType, ID string }
			Search   struct{ Mode string }
		}
	}
	fhirIDs := func(query string) ([]string, searchset) {
		t.Helper()
		status, _, body := httpDo(t, "GET", base+"/"+query, "")
		require.Equal(t, 200, status, string(body))
		var b searchset
		require.NoError(t, json.Unmarshal(body, &b))
		var ids []string
		for _, e := range b.Entry {
			if e.Search.Mode == "match" {
				ids = append(ids, e.Resource.ID)
			}
		}
		return ids, b
	}
	ids, b := fhirIDs("Patient?gender=female&_count=1000")
	require.Equal(t, sqlIDs("select id from patient where gender = 'female' order by id"), ids)
	require.Equal(t, len(ids), b.Total)

	// Paging walks the same matches.
	var paged []string
	next := "Patient?gender=female&_count=2"
	for range 20 {
		page, b := fhirIDs(next)
		paged = append(paged, page...)
		next = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				u, err := url.Parse(l.URL)
				require.NoError(t, err)
				next = "Patient?" + u.RawQuery
			}
		}
		if next == "" {
			break
		}
	}
	require.Equal(t, ids, paged)

	// Pages stay right while resources are added: a patient created
	// between two pages, sorting before the cursor, shifts nothing.
	first, b := fhirIDs("Patient?gender=female&_count=2")
	var nextURL string
	for _, l := range b.Link {
		if l.Relation == "next" {
			nextURL = l.URL
		}
	}
	require.NotEmpty(t, nextURL)
	status, _, body := httpDo(t, "PUT", base+"/Patient/0000-first", `{"resourceType":"Patient","id":"0000-first","gender":"female"}`, "Content-Type", "application/fhir+json")
	require.Equal(t, 201, status, string(body))
	for deadline := time.Now().Add(20 * time.Second); ; {
		all, _ := fhirIDs("Patient?gender=female&_count=1000")
		if len(all) == len(ids)+1 {
			break
		}
		require.True(t, time.Now().Before(deadline))
		time.Sleep(50 * time.Millisecond)
	}
	u, err := url.Parse(nextURL)
	require.NoError(t, err)
	second, _ := fhirIDs("Patient?" + u.RawQuery)
	require.Equal(t, ids[:len(first)+len(second)], append(first, second...), "no duplicate, nothing skipped")

	// A token on Observation code for one patient, and a chain.
	pid := sqlIDs("select patient_id from observation where patient_id is not null group by 1 order by 1 limit 1")[0]
	code := sqlIDs("select loinc_code from observation where patient_id = $1 and loinc_code is not null group by 1 order by count(*) desc limit 1", pid)[0]
	want := sqlIDs("select id from observation where patient_id = $1 and loinc_code = $2 order by id", pid, code)
	got, _ := fhirIDs("Observation?patient=" + pid + "&code=http://loinc.org|" + code + "&_count=1000")
	require.Equal(t, want, got)
	city := sqlIDs("select city from patient where id = $1", pid)[0]
	got, _ = fhirIDs("Observation?subject:Patient.address-city=" + url.QueryEscape(city) + "&code=" + code + "&_count=1000")
	require.Equal(t, sqlIDs("select o.id from observation o join patient p on p.id = o.patient_id where p.city ilike $1 || '%' and o.loinc_code = $2 order by o.id", city, code), got)

	// Compartment search.
	got, _ = fhirIDs("Patient/" + pid + "/Observation?code=" + code + "&_count=1000")
	require.Equal(t, want, got)
	status, _, body = httpDo(t, "GET", base+"/Observation/x/Patient", "")
	require.Equal(t, 400, status, string(body))

	// A search across types, one match a page.
	var across []string
	next = "?_type=Patient,Observation&_id=" + pid + "," + want[0] + "&_count=1"
	for range 4 {
		status, _, body := httpDo(t, "GET", base+next, "")
		require.Equal(t, 200, status, string(body))
		var page searchset
		require.NoError(t, json.Unmarshal(body, &page))
		require.Equal(t, 2, page.Total)
		for _, e := range page.Entry {
			across = append(across, e.Resource.ResourceType+"/"+e.Resource.ID)
		}
		next = ""
		for _, l := range page.Link {
			if l.Relation == "next" {
				u, err := url.Parse(l.URL)
				require.NoError(t, err)
				next = "?" + u.RawQuery
			}
		}
		if next == "" {
			break
		}
	}
	require.Equal(t, []string{"Observation/" + want[0], "Patient/" + pid}, across)
	status, _, body = httpDo(t, "GET", base+"?_type=Nope", "")
	require.Equal(t, 400, status, string(body))

	// $everything: the patient and its compartment.
	_, every := fhirIDs("Patient/" + pid + "/$everything?_type=Patient,Observation,Encounter")
	kinds := map[string]int{}
	for _, e := range every.Entry {
		kinds[e.Resource.ResourceType]++
	}
	require.Equal(t, map[string]int{
		"Patient":     1,
		"Observation": len(sqlIDs("select id from observation where patient_id = $1", pid)),
		"Encounter":   len(sqlIDs("select id from encounter where patient_id = $1", pid)),
	}, kinds)

	// _revinclude and _include:iterate.
	status, _, body = httpDo(t, "GET", base+"/Patient?_id="+pid+"&_revinclude=Encounter:subject&_include:iterate=Encounter:service-provider", "")
	require.Equal(t, 200, status, string(body))
	var withInc searchset
	require.NoError(t, json.Unmarshal(body, &withInc))
	modes := map[string]int{}
	for _, e := range withInc.Entry {
		modes[e.Search.Mode+" "+e.Resource.ResourceType]++
	}
	require.Equal(t, 1, modes["match Patient"])
	require.Equal(t, len(sqlIDs("select id from encounter where patient_id = $1", pid)), modes["include Encounter"])
	require.Positive(t, modes["include Organization"], "%v", modes)

	// POST _search, _summary=count, an unknown parameter, a bad value.
	status, _, body = httpDo(t, "POST", base+"/Patient/_search", "gender=male", "Content-Type", "application/x-www-form-urlencoded")
	require.Equal(t, 200, status, string(body))
	var male searchset
	require.NoError(t, json.Unmarshal(body, &male))
	require.Equal(t, len(sqlIDs("select id from patient where gender = 'male'")), male.Total)
	_, b = fhirIDs("Patient?_summary=count")
	require.Equal(t, 13, b.Total, "12 generated and the one created above")
	require.Empty(t, b.Entry)
	_, b = fhirIDs("Patient?nonsense=1&gender=female")
	require.Equal(t, "outcome", b.Entry[len(b.Entry)-1].Search.Mode)
	status, _, body = httpDo(t, "GET", base+"/Patient?nonsense=1", "", "Prefer", "handling=strict")
	require.Equal(t, 400, status)
	require.Contains(t, string(body), `"nonsense"`)
	status, _, body = httpDo(t, "GET", base+"/Patient?birthdate=soon", "")
	require.Equal(t, 400, status)
	require.Contains(t, string(body), "birthdate")
	require.NotContains(t, strings.ToLower(string(body)), "select", "no SQL leaks into errors")

	// A created resource becomes searchable after the refresh.
	status, _, body = httpDo(t, "POST", base+"/Patient", `{"resourceType":"Patient","name":[{"family":"Zyxwv"}]}`, "Content-Type", "application/fhir+json")
	require.Equal(t, 201, status, string(body))
	deadline := time.Now().Add(20 * time.Second)
	for {
		ids, _ := fhirIDs("Patient?family=zyx")
		if len(ids) == 1 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the new patient never became searchable")
		time.Sleep(50 * time.Millisecond)
	}

	// Writes over a clustered index: a new observation of the patient and
	// the deletion of an old one show in the patient's pinned search.
	clustered, err := filepath.Glob(filepath.Join(data, "stores", "demo", "views", "param=code", "search_observation.*.parquet"))
	require.NoError(t, err)
	require.NotEmpty(t, clustered, "the Observation index is clustered")
	status, hdr, body := httpDo(t, "POST", base+"/Observation", fmt.Sprintf(`{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":%q}]},"subject":{"reference":"Patient/%s"}}`, code, pid), "Content-Type", "application/fhir+json")
	require.Equal(t, 201, status, string(body))
	_, after, _ := strings.Cut(hdr.Get("Location"), "Observation/")
	created, _, _ := strings.Cut(after, "/")
	require.NotEmpty(t, created)
	status, _, body = httpDo(t, "DELETE", base+"/Observation/"+want[0], "")
	require.Equal(t, 200, status, string(body))
	expect := append([]string{created}, want[1:]...)
	slices.Sort(expect)
	for deadline := time.Now().Add(20 * time.Second); ; {
		got, _ := fhirIDs("Observation?patient=Patient/" + pid + "&code=http://loinc.org|" + code + "&_count=1000")
		if slices.Equal(got, expect) {
			break
		}
		require.True(t, time.Now().Before(deadline), "got %v, want %v", got, expect)
		time.Sleep(50 * time.Millisecond)
	}
}
