package engine

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/flatten"
	"github.com/fhirlake/fhirlake/search"
)

// searchFixture is a small data store whose search index tables are built
// by package search, as ingest builds them.
var searchFixture = map[string][]string{
	"Patient": {
		`{"resourceType":"Patient","id":"p1","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Zo&#235; <b>Smith</b>, allergic to pea&shy;nuts &amp; shellfish<!-- hidden note --></div>"},"gender":"female","birthDate":"1970-01-02","name":[{"family":"Smith","given":["Zoë"]}],"address":[{"city":"Boston"}],"identifier":[{"system":"urn:mrn","value":"1","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]}}],"generalPractitioner":[{"reference":"Practitioner/dr1"}]}`,
		`{"resourceType":"Patient","id":"p2","gender":"male","birthDate":"1980-05-06","name":[{"family":"Smithers"}],"address":[{"city":"Cambridge"}],"identifier":[{"system":"urn:mrn","value":"2","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"},{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"SS"}],"text":"two types"}},{"system":"urn:ssn","value":"1","type":{"text":"no coding"}}]}`,
		`{"resourceType":"Patient","id":"p3","gender":"female","name":[{"family":"Jones"}],"address":[{"city":"boston"}]}`,
	},
	"List": {
		`{"resourceType":"List","id":"l1","status":"current","mode":"working","entry":[{"item":{"reference":"Patient/p1"}},{"item":{"reference":"Patient/p3"}},{"item":{"reference":"Observation/o2"}}]}`,
		`{"resourceType":"List","id":"l2","status":"current","mode":"working","entry":[{"item":{"reference":"Patient/p2"}}]}`,
	},
	"Practitioner": {
		`{"resourceType":"Practitioner","id":"dr1","name":[{"family":"Who"}]}`,
	},
	"Observation": {
		`{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-03-05T10:00:00Z","valueQuantity":{"value":72,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`,
		`{"resourceType":"Observation","id":"o2","status":"amended","code":{"coding":[{"system":"http://loinc.org","code":"2339-0","display":"Glucose"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2021-06-10","valueQuantity":{"value":98,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}}`,
		`{"resourceType":"Observation","id":"o3","status":"preliminary","code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"Patient/p2"},"effectiveDateTime":"2019-12-31T23:00:00Z","valueQuantity":{"value":60,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`,
	},
}

func newSearchEnv(t *testing.T) *Engine { return newSearchEnvOf(t, searchFixture) }

// newSearchEnvOf serves the index tables of fixture as data store clinic.
func newSearchEnvOf(t *testing.T, fixture map[string][]string) *Engine {
	c := &fakeCatalog{dir: t.TempDir(), stores: map[string][]catalog.View{}}
	var views []catalog.View
	for typ, bodies := range fixture {
		b := search.NewIndexBuilder(memory.DefaultAllocator)
		for _, body := range bodies {
			require.NoError(t, b.Append([]byte(body)))
		}
		rec := b.NewRecord()
		rel := filepath.Join("views", strings.ToLower(typ)+".parquet")
		path := filepath.Join(c.DatastoreDir("clinic"), rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
		f, err := os.Create(path)
		require.NoError(t, err)
		pw, err := flatten.NewParquetWriter(struct{ io.Writer }{f}, search.IndexSchema())
		require.NoError(t, err)
		require.NoError(t, pw.Write(rec))
		require.NoError(t, pw.Close())
		require.NoError(t, f.Close())
		rec.Release()
		b.Release()
		views = append(views, catalog.View{Name: catalog.SearchIndexName(typ), Resource: typ, Kind: catalog.KindSearch, Files: []catalog.File{{Path: rel}}})
	}
	if clusterFixtures {
		views = clusterViews(t, c.DatastoreDir("clinic"), views)
	}
	c.setViews("clinic", views...)
	e, err := Open(context.Background(), c, Options{Threads: 2, MemoryLimit: "1GB"})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	return e
}

// TestSearchMatches maps searches to their exact matches, per parameter
// type, modifier and prefix (https://hl7.org/fhir/R4/search.html).
func TestSearchMatches(t *testing.T) {
	e := newSearchEnv(t)
	tests := []struct {
		typ, query string
		want       []string
	}{
		{"Patient", "", []string{"p1", "p2", "p3"}},
		{"Patient", "gender=female", []string{"p1", "p3"}},
		{"Patient", "gender:not=female", []string{"p2"}},
		{"Patient", "gender=female&gender=male", nil},
		{"Patient", "gender=female,male", []string{"p1", "p2", "p3"}},
		{"Patient", "family=smi", []string{"p1", "p2"}},
		{"Patient", "family=SMITH", []string{"p1", "p2"}},
		{"Patient", "family:exact=Smith", []string{"p1"}},
		{"Patient", "family:exact=smith", nil},
		{"Patient", "family:contains=ith", []string{"p1", "p2"}},
		{"Patient", "name=zoe", []string{"p1"}},
		{"Patient", "address-city=boston", []string{"p1", "p3"}},
		{"Patient", "birthdate=1970", []string{"p1"}},
		{"Patient", "birthdate=1970-01-02", []string{"p1"}},
		{"Patient", "birthdate=ge1975", []string{"p2"}},
		{"Patient", "birthdate=lt1975-01-01", []string{"p1"}},
		{"Patient", "birthdate=ne1970", []string{"p2"}},
		{"Patient", "birthdate:missing=true", []string{"p3"}},
		{"Patient", "birthdate:missing=false", []string{"p1", "p2"}},
		{"Patient", "identifier=urn:mrn|2", []string{"p2"}},
		{"Patient", "identifier=2", []string{"p2"}},
		{"Patient", "identifier=urn:mrn|", []string{"p1", "p2"}},
		{"Patient", "identifier=|2", nil},
		{"Patient", "_id=p1,p3", []string{"p1", "p3"}},
		{"Patient", "general-practitioner=Practitioner/dr1", []string{"p1"}},
		{"Patient", "general-practitioner.name=who", []string{"p1"}},
		{"Patient", "_has:Observation:patient:code=8867-4", []string{"p1", "p2"}},
		{"Patient", "_has:Observation:patient:status=amended", []string{"p1"}},
		{"Observation", "code=http://loinc.org|8867-4", []string{"o1", "o3"}},
		{"Observation", "code=http://snomed.info/sct|8867-4", nil},
		{"Observation", "code:text=heart", []string{"o1", "o3"}},
		{"Observation", "subject=Patient/p1", []string{"o1", "o2"}},
		{"Observation", "patient=p2", []string{"o3"}},
		{"Observation", "subject:Patient=p2", []string{"o3"}},
		{"Observation", "subject:Patient.address-city=boston", []string{"o1", "o2"}},
		{"Observation", "patient.general-practitioner.name=who", []string{"o1", "o2"}},
		{"Observation", "value-quantity=gt70", []string{"o1", "o2"}},
		{"Observation", "value-quantity=72", []string{"o1"}},
		{"Observation", "value-quantity=72||/min", []string{"o1"}},
		{"Observation", "value-quantity=lt1|http://unitsofmeasure.org|g/dL", []string{"o2"}},
		{"Observation", "value-quantity=ap98||mg/dL", []string{"o2"}},
		{"Observation", "date=2020", []string{"o1"}},
		{"Observation", "date=lt2020", []string{"o3"}},
		{"Observation", "date=ge2021-06", []string{"o2"}},
		{"Observation", "date=sa2020-12-31", []string{"o2"}},
		{"Observation", "date=eb2020", []string{"o3"}},
		{"Observation", "status=final,amended", []string{"o1", "o2"}},
		{"Observation", "code-value-quantity=http://loinc.org|8867-4$gt65", []string{"o1"}},
		{"Observation", "code-value-quantity=8867-4$lt65", []string{"o3"}},
		{"Observation", "code-value-quantity=2339-0$ge90|http://unitsofmeasure.org|mg/dL", []string{"o2"}},
		{"Observation", "code-value-quantity=2339-0$lt90||mg/dL", nil},
		{"Observation", "status=final&code=8867-4", []string{"o1"}},
		// :of-type matches an identifier's type coding and value.
		{"Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|1", []string{"p1"}},
		{"Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|2", []string{"p2"}},
		{"Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|SS|2", []string{"p2"}},
		{"Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|SS|1", nil},
		{"Patient", "identifier:of-type=|MR|2", []string{"p2"}},
		{"Patient", "identifier:of-type=urn:other|MR|2", nil},
		// _text: the narrative without tags, entities decoded.
		{"Patient", "_text=zoe smith, allergic", []string{"p1"}},
		{"Patient", "_text=PEANUTS %26 SHELL", []string{"p1"}},
		{"Patient", "_text=hidden", nil},
		{"Patient", "_text=xhtml", nil},
		{"Patient", "_text=amp", nil},
		{"Patient", "_text:contains=allergic", []string{"p1"}},
		// _content: names, displays and texts; not codes, uris or the narrative.
		{"Patient", "_content=smith", []string{"p1", "p2"}},
		{"Patient", "_content=BOSTON", []string{"p1", "p3"}},
		{"Patient", "_content=two types", []string{"p2"}},
		{"Patient", "_content=female", nil},
		{"Patient", "_content=urn:mrn", nil},
		{"Patient", "_content=allergic", nil},
		{"Observation", "_content=heart rate", []string{"o1", "o3"}},
		{"Observation", "_content=8867", nil},
		// _list: the List's entry items of the searched type.
		{"Patient", "_list=l1", []string{"p1", "p3"}},
		{"Observation", "_list=l1", []string{"o2"}},
		{"Patient", "_list=l1,l2", []string{"p1", "p2", "p3"}},
		{"Patient", "_list=l1&_list=l2", nil},
		{"Patient", "_list=l1&gender=male", nil},
		{"Patient", "_list=l9", nil},
		{"Practitioner", "_list=l1", nil},
		// :in and :not-in over the value sets of fixtureValueSets.
		{"Observation", "code:in=http://vs/heart", []string{"o1", "o3"}},
		{"Observation", "code:not-in=http://vs/heart", []string{"o2"}},
		{"Observation", "code:in=ValueSet/loinc", []string{"o1", "o2", "o3"}},
		{"Observation", "code:in=http://vs/loinc-but-heart", []string{"o2"}},
		{"Observation", "code:in=http://vs/empty", nil},
		{"Observation", "code:not-in=http://vs/empty", []string{"o1", "o2", "o3"}},
		{"Observation", "code:in=http://vs/heart,http://vs/glucose", []string{"o1", "o2", "o3"}},
		{"Observation", "code:in=http://vs/snomed-heart", nil},
		{"Patient", "gender:in=http://vs/female", []string{"p1", "p3"}},
		{"Patient", "_has:Observation:patient:code:in=http://vs/glucose", []string{"p1"}},
		{"Observation", "patient.gender:not-in=http://vs/female", []string{"o3"}},
		// Values are bound parameters: SQL and LIKE syntax match nothing.
		{"Patient", "family=' OR 1=1 --", nil},
		{"Patient", "family=%25", nil},
		{"Patient", "family=_", nil},
		{"Patient", "family:contains=%25", nil},
		{"Patient", `name=")%3BDROP TABLE x%3B--`, nil},
		{"Patient", "family=" + strings.Repeat("x", 4000), nil},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"?"+tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			sq, err := search.ParseQuery(tt.typ, q, true)
			require.NoError(t, err)
			require.NoError(t, sq.ResolveValueSets(context.Background(), fixtureValueSets))
			plan, err := search.NewPlan(sq, "clinic")
			require.NoError(t, err)
			ids, total, err := e.Search(context.Background(), "clinic", plan, 100, 0, true)
			require.NoError(t, err, plan.IDs)
			require.Equal(t, tt.want, ids)
			require.Equal(t, len(tt.want), total)
		})
	}
}

// fixtureValueSets are the value sets of the fixture's :in searches, by
// canonical URL or ValueSet/id, as the api expands them.
var fixtureValueSets = fakeValueSets{
	"http://vs/heart":           {Codes: []search.Coding{{System: "http://loinc.org", Code: "8867-4"}}},
	"http://vs/glucose":         {Codes: []search.Coding{{System: "http://loinc.org", Code: "2339-0"}}},
	"http://vs/snomed-heart":    {Codes: []search.Coding{{System: "http://snomed.info/sct", Code: "8867-4"}}},
	"ValueSet/loinc":            {Systems: []string{"http://loinc.org"}},
	"http://vs/loinc-but-heart": {Systems: []string{"http://loinc.org"}, Excluded: []search.Coding{{System: "http://loinc.org", Code: "8867-4"}}},
	"http://vs/empty":           {},
	"http://vs/female":          {Codes: []search.Coding{{System: "http://hl7.org/fhir/administrative-gender", Code: "female"}}},
}

type fakeValueSets map[string]*search.Expansion

func (f fakeValueSets) Expand(_ context.Context, ref string) (*search.Expansion, error) {
	if e, ok := f[ref]; ok {
		return e, nil
	}
	return nil, fmt.Errorf("fake: %q: %w", ref, search.ErrUnknownValueSet)
}

func TestSearchSortAndPages(t *testing.T) {
	e := newSearchEnv(t)
	run := func(query string, limit, offset int) []string {
		q, err := url.ParseQuery(query)
		require.NoError(t, err)
		sq, err := search.ParseQuery("Patient", q, true)
		require.NoError(t, err)
		plan, err := search.NewPlan(sq, "clinic")
		require.NoError(t, err)
		ids, _, err := e.Search(context.Background(), "clinic", plan, limit, offset, false)
		require.NoError(t, err)
		return ids
	}
	require.Equal(t, []string{"p2", "p1", "p3"}, run("_sort=-birthdate", 10, 0), "descending, missing last")
	require.Equal(t, []string{"p1", "p2", "p3"}, run("_sort=birthdate", 10, 0))
	require.Equal(t, []string{"p3", "p1", "p2"}, run("_sort=family", 10, 0))
	require.Equal(t, []string{"p1"}, run("_sort=family", 1, 1))
	require.Equal(t, []string{"p2"}, run("_sort=family", 5, 2))
	require.Equal(t, []string{"p2", "p3"}, run("_after=p1", 5, 0), "keyset page after p1")
	require.Equal(t, []string{"p3"}, run("gender=female&_after=p1", 5, 0))
	// An unknown type has an empty index table.
	sq, err := search.ParseQuery("Device", url.Values{}, true)
	require.NoError(t, err)
	plan, err := search.NewPlan(sq, "clinic")
	require.NoError(t, err)
	ids, total, err := e.Search(context.Background(), "clinic", plan, 10, 0, true)
	require.NoError(t, err)
	require.Empty(t, ids)
	require.Zero(t, total)
}

func TestSearchIncludes(t *testing.T) {
	e := newSearchEnv(t)
	run := func(typ, query string) []string {
		q, err := url.ParseQuery(query)
		require.NoError(t, err)
		sq, err := search.ParseQuery(typ, q, true)
		require.NoError(t, err)
		plan, err := search.NewPlan(sq, "clinic")
		require.NoError(t, err)
		ctx := context.Background()
		ids, _, err := e.Search(ctx, "clinic", plan, 100, 0, false)
		require.NoError(t, err)
		inc, err := search.Includes(sq, ids, "clinic", func(sql string, args []any) ([][2]string, error) {
			return e.SearchRefs(ctx, "clinic", sql, args)
		})
		require.NoError(t, err)
		var out []string
		for _, p := range inc {
			out = append(out, p[0]+"/"+p[1])
		}
		return out
	}
	require.Equal(t, []string{"Practitioner/dr1"}, run("Patient", "_id=p1&_include=Patient:general-practitioner"))
	require.Equal(t, []string{"Practitioner/dr1"}, run("Patient", "_id=p1&_include=Patient:*"))
	require.Empty(t, run("Patient", "_id=p1&_include=Patient:general-practitioner:Organization"))
	require.Equal(t, []string{"Observation/o1", "Observation/o2"}, run("Patient", "_id=p1&_revinclude=Observation:subject"))
	require.Equal(t, []string{"Patient/p1"}, run("Observation", "_id=o1&_include=Observation:patient"))
	require.Equal(t, []string{"Patient/p1"}, run("Observation", "_id=o1&_include=Observation:patient&_include=Patient:general-practitioner"),
		"a plain include applies to the matches only")
	require.Equal(t, []string{"Patient/p1", "Practitioner/dr1"}, run("Observation", "_id=o1&_include=Observation:patient&_include:iterate=Patient:general-practitioner"))
	require.Equal(t, []string{"Patient/p1", "Observation/o2"}, run("Observation", "_id=o1&_include=Observation:patient&_revinclude:iterate=Observation:patient"),
		"iterating: the patient's other observations, not the match again")
}

func TestSearchCompartment(t *testing.T) {
	e := newSearchEnv(t)
	run := func(ctype, cid, typ, query string) []string {
		q, err := url.ParseQuery(query)
		require.NoError(t, err)
		sq, err := search.ParseQuery(typ, q, true)
		require.NoError(t, err)
		require.NoError(t, sq.InCompartment(ctype, cid))
		plan, err := search.NewPlan(sq, "clinic")
		require.NoError(t, err)
		ids, _, err := e.Search(context.Background(), "clinic", plan, 100, 0, false)
		require.NoError(t, err)
		return ids
	}
	require.Equal(t, []string{"o1", "o2"}, run("Patient", "p1", "Observation", ""))
	require.Equal(t, []string{"o1"}, run("Patient", "p1", "Observation", "code=8867-4"))
	require.Equal(t, []string{"o3"}, run("Patient", "p2", "Observation", ""))
	require.Equal(t, []string{"p2"}, run("Patient", "p2", "Patient", ""), "the patient is in its own compartment")
	// The care date criteria of $everything start and end (api/everything_dates.go).
	require.Equal(t, []string{"o2"}, run("Patient", "p1", "Observation", "date=ge2021&date=le2022"))
	require.Equal(t, []string{"o1"}, run("Patient", "p1", "Observation", "date=ge2020-03-05&date=le2020-03-05"))
	require.Equal(t, []string{"o1", "o2"}, run("Patient", "p1", "Observation", "date=ge2020"))
	require.Empty(t, run("Patient", "p1", "Observation", "date=le2019"))
	require.Empty(t, run("Patient", "p1", "Observation", "date:missing=true"))
	sq, err := search.ParseQuery("Practitioner", url.Values{}, true)
	require.NoError(t, err)
	require.Error(t, sq.InCompartment("Patient", "p1"), "Practitioner is not in the Patient compartment")
	require.Error(t, sq.InCompartment("Observation", "o1"))
}

// sortFixture has ties, missing values and several key types for the
// sorting and paging tests.
var sortFixture = map[string][]string{
	"Patient": {
		`{"resourceType":"Patient","id":"s1","gender":"female","birthDate":"1980-01-01","name":[{"family":"Adams"}]}`,
		`{"resourceType":"Patient","id":"s2","gender":"male","birthDate":"1980-01-01","name":[{"family":"Adams"}]}`,
		`{"resourceType":"Patient","id":"s3","gender":"female","birthDate":"1975-05-05","name":[{"family":"Adams"}]}`,
		`{"resourceType":"Patient","id":"s4","gender":"female","name":[{"family":"Baker"}]}`,
		`{"resourceType":"Patient","id":"s5","gender":"male","birthDate":"1990-01-01"}`,
		`{"resourceType":"Patient","id":"s6","birthDate":"1980-01-01","name":[{"family":"Baker"}]}`,
		`{"resourceType":"Patient","id":"s7"}`,
		`{"resourceType":"Patient","id":"s8","gender":"male","birthDate":"1975-05-05","name":[{"family":"Clark"}]}`,
		`{"resourceType":"Patient","id":"s9","gender":"female","birthDate":"1980-01-01","name":[{"family":"adams"},{"family":"Zorn"}]}`,
	},
	"Observation": {
		`{"resourceType":"Observation","id":"x1","status":"final","code":{"text":"a"},"effectiveDateTime":"2020-03-05T10:00:00Z","valueQuantity":{"value":72}}`,
		`{"resourceType":"Observation","id":"x2","status":"final","code":{"text":"a"},"effectiveDateTime":"2020-03-05T10:00:00Z","valueQuantity":{"value":72}}`,
		`{"resourceType":"Observation","id":"x3","status":"final","code":{"text":"a"},"effectiveDateTime":"2019-12-31T23:00:00.123Z","valueQuantity":{"value":60.5}}`,
		`{"resourceType":"Observation","id":"x4","status":"final","code":{"text":"a"},"effectiveDateTime":"2021-06-10"}`,
		`{"resourceType":"Observation","id":"x5","status":"final","code":{"text":"a"},"valueQuantity":{"value":98.25}}`,
	},
}

// searchWalk follows the cursors of a search from its first page, limit
// matches a page, and returns the pages.
func searchWalk(t *testing.T, e *Engine, typ, query string, limit int) [][]string {
	t.Helper()
	var pages [][]string
	after := ""
	for len(pages) < 100 {
		q, err := url.ParseQuery(query)
		require.NoError(t, err)
		if after != "" {
			q.Set("_after", after)
		}
		sq, err := search.ParseQuery(typ, q, true)
		require.NoError(t, err)
		plan, err := search.NewPlan(sq, "clinic")
		require.NoError(t, err)
		pg, err := e.SearchPage(context.Background(), "clinic", plan, limit, 0, true)
		require.NoError(t, err, plan.IDs)
		require.LessOrEqual(t, len(pg.IDs), limit)
		pages = append(pages, pg.IDs)
		if pg.Next == "" {
			return pages
		}
		require.Len(t, pg.IDs, limit, "a short page has no next page")
		after = pg.Next
	}
	t.Fatalf("%s?%s: more than 100 pages", typ, query)
	return nil
}

// TestSearchSortKeys sorts by several keys, each ascending or descending,
// with ties (broken by id) and resources without the parameter (last in
// either direction), and walks every search page by page: the pages
// joined are the one big page.
func TestSearchSortKeys(t *testing.T) {
	e := newSearchEnvOf(t, sortFixture)
	tests := []struct {
		typ, query string
		want       []string
	}{
		{"Patient", "_sort=family,-birthdate", []string{"s1", "s2", "s9", "s3", "s6", "s4", "s8", "s5", "s7"}},
		{"Patient", "_sort=-family,birthdate", []string{"s9", "s8", "s6", "s4", "s3", "s1", "s2", "s5", "s7"}},
		{"Patient", "_sort=birthdate", []string{"s3", "s8", "s1", "s2", "s6", "s9", "s5", "s4", "s7"}},
		{"Patient", "_sort=-birthdate", []string{"s5", "s1", "s2", "s6", "s9", "s3", "s8", "s4", "s7"}},
		{"Patient", "_sort=gender,family", []string{"s1", "s3", "s9", "s4", "s2", "s8", "s5", "s6", "s7"}},
		{"Patient", "_sort=-gender,-family,-birthdate", []string{"s8", "s2", "s5", "s9", "s4", "s1", "s3", "s6", "s7"}},
		{"Patient", "gender=female&_sort=-birthdate,family", []string{"s1", "s9", "s3", "s4"}},
		{"Patient", "_sort=_id", []string{"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"}},
		{"Patient", "", []string{"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"}},
		{"Observation", "_sort=date,-value-quantity", []string{"x3", "x1", "x2", "x4", "x5"}},
		{"Observation", "_sort=-date", []string{"x4", "x1", "x2", "x3", "x5"}},
		{"Observation", "_sort=value-quantity,-_id", []string{"x3", "x2", "x1", "x5", "x4"}},
		{"Observation", "_sort=-value-quantity", []string{"x5", "x1", "x2", "x3", "x4"}},
		{"Observation", "status=final&_sort=status,code", []string{"x1", "x2", "x3", "x4", "x5"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"?"+tt.query, func(t *testing.T) {
			all := searchWalk(t, e, tt.typ, tt.query, 100)
			require.Equal(t, [][]string{tt.want}, all)
			for _, limit := range []int{1, 2, 3, 4} {
				var joined []string
				for _, p := range searchWalk(t, e, tt.typ, tt.query, limit) {
					joined = append(joined, p...)
				}
				require.Equal(t, tt.want, joined, "_count=%d", limit)
			}
		})
	}
}

// TestSearchOffsetAfterCursor checks that _offset still pages by
// position, and counts from the cursor when both are given.
func TestSearchOffsetAfterCursor(t *testing.T) {
	e := newSearchEnvOf(t, sortFixture)
	page := func(query string, limit, offset int) search.Page {
		q, err := url.ParseQuery(query)
		require.NoError(t, err)
		sq, err := search.ParseQuery("Patient", q, true)
		require.NoError(t, err)
		plan, err := search.NewPlan(sq, "clinic")
		require.NoError(t, err)
		pg, err := e.SearchPage(context.Background(), "clinic", plan, limit, offset, true)
		require.NoError(t, err)
		return pg
	}
	first := page("_sort=family,-birthdate", 2, 0)
	require.Equal(t, []string{"s1", "s2"}, first.IDs)
	require.Equal(t, 9, first.Total)
	require.Equal(t, []string{"s9", "s3"}, page("_sort=family,-birthdate", 2, 2).IDs)
	require.Equal(t, []string{"s6", "s4"}, page("_sort=family,-birthdate&_after="+first.Next, 2, 2).IDs)
	last := page("_sort=family,-birthdate", 2, 7)
	require.Equal(t, []string{"s5", "s7"}, last.IDs)
	require.Empty(t, last.Next, "no next page after the last match")
	require.Equal(t, 9, page("_sort=family,-birthdate&_after="+first.Next, 2, 0).Total,
		"the total counts every match, not those after the cursor")
}

// TestSearchInjection sends SQL, LIKE and escape syntax, NUL bytes,
// invalid UTF-8 and overlong text as the values of every parameter type
// and as the names of _sort, _include and _elements: each search is
// either a 400 (a *search.QueryError, whose text holds no SQL) or runs
// and has exactly the expected matches (none for a criterion; for
// _elements, which does not filter, every patient). No search may fail
// any other way, which the server would answer with a 500.
func TestSearchInjection(t *testing.T) {
	e := newSearchEnv(t)
	evil := []string{`'`, `"`, `%`, `_`, `\`, `\\`, `\,`, `|`, `$`, `x' OR '1'='1`, `1); DROP TABLE x; --`,
		`"; SELECT * FROM duckdb_settings(); --`, "a\x00b", "\xff\xfe", "caf\xc3", strings.Repeat("x", 10001),
		strings.Repeat("é", 3000)}
	params := []struct {
		typ, name string
		all       []string            // the matches when the parameter does not filter
		except    map[string][]string // the matches of values that mean something
	}{
		{"Patient", "family", nil, nil},
		{"Patient", "family:exact", nil, nil},
		{"Patient", "name:contains", nil, nil},
		{"Patient", "gender", nil, nil},
		{"Patient", "gender:not", []string{"p1", "p2", "p3"}, nil},
		{"Patient", "identifier", nil, nil},
		{"Patient", "identifier:of-type", nil, nil},
		{"Patient", "_id", nil, nil},
		{"Patient", "_text", nil, map[string][]string{`\,`: {"p1"}}}, // "Smith, allergic"
		{"Patient", "_content", nil, nil},
		{"Patient", "_list", nil, nil},
		{"Patient", "general-practitioner", nil, nil},
		{"Patient", "general-practitioner.name", nil, nil},
		{"Patient", "_has:Observation:patient:code", nil, nil},
		{"Patient", "birthdate", nil, nil},
		{"Observation", "subject", nil, nil},
		{"Observation", "code:text", nil, nil},
		{"Observation", "code:in", nil, nil},
		{"Observation", "value-quantity", nil, nil},
		{"ValueSet", "url", nil, nil},
		{"ValueSet", "url:below", nil, nil},
		{"RiskAssessment", "probability", nil, nil},
		{"Patient", "_sort", []string{"p1", "p2", "p3"}, nil},
		{"Patient", "_include", []string{"p1", "p2", "p3"}, nil},
		{"Patient", "_revinclude", []string{"p1", "p2", "p3"}, nil},
		{"Patient", "_elements", []string{"p1", "p2", "p3"}, nil},
		{"Patient", "_count", []string{"p1", "p2", "p3"}, nil},
	}
	ctx := context.Background()
	for _, p := range params {
		for i, v := range evil {
			t.Run(fmt.Sprintf("%s?%s/%d", p.typ, p.name, i), func(t *testing.T) {
				sq, err := search.ParseQuery(p.typ, url.Values{p.name: {v}}, true)
				if err == nil {
					err = sq.ResolveValueSets(ctx, fixtureValueSets)
				}
				var plan *search.Plan
				if err == nil {
					plan, err = search.NewPlan(sq, "clinic")
				}
				var qe *search.QueryError
				if err != nil {
					require.ErrorAs(t, err, &qe, "only a 400 may reject a value")
					require.NotRegexp(t, `"clinic"\.search|SELECT (DISTINCT )?(m\.)?id|param = |\$[0-9]`, qe.Error(), "no SQL of the plan")
					return
				}
				ids, total, err := e.Search(ctx, "clinic", plan, 100, 0, true)
				require.NoError(t, err)
				want, ok := p.except[v]
				if !ok {
					want = p.all
				}
				require.Equal(t, want, ids)
				require.Equal(t, len(want), total)
			})
		}
	}
	// The same syntax as search parameter names, and as modifiers.
	for i, v := range evil {
		t.Run(fmt.Sprintf("name/%d", i), func(t *testing.T) {
			for _, name := range []string{v, "family:" + v, "subject:" + v, "_has:" + v + ":patient:code", "subject." + v} {
				_, err := search.ParseQuery("Observation", url.Values{name: {"x"}}, true)
				var qe *search.QueryError
				require.ErrorAs(t, err, &qe, name)
			}
		})
	}
}
