package engine

import (
	"context"
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
		`{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1970-01-02","name":[{"family":"Smith","given":["Zoë"]}],"address":[{"city":"Boston"}],"identifier":[{"system":"urn:mrn","value":"1"}],"generalPractitioner":[{"reference":"Practitioner/dr1"}]}`,
		`{"resourceType":"Patient","id":"p2","gender":"male","birthDate":"1980-05-06","name":[{"family":"Smithers"}],"address":[{"city":"Cambridge"}],"identifier":[{"system":"urn:mrn","value":"2"}]}`,
		`{"resourceType":"Patient","id":"p3","gender":"female","name":[{"family":"Jones"}],"address":[{"city":"boston"}]}`,
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

func newSearchEnv(t *testing.T) *Engine {
	c := &fakeCatalog{dir: t.TempDir(), stores: map[string][]catalog.View{}}
	var views []catalog.View
	for typ, bodies := range searchFixture {
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
			plan, err := search.NewPlan(sq, "clinic")
			require.NoError(t, err)
			ids, total, err := e.Search(context.Background(), "clinic", plan, 100, 0, true)
			require.NoError(t, err, plan.IDs)
			require.Equal(t, tt.want, ids)
			require.Equal(t, len(tt.want), total)
		})
	}
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
	sq, err := search.ParseQuery("Practitioner", url.Values{}, true)
	require.NoError(t, err)
	require.Error(t, sq.InCompartment("Patient", "p1"), "Practitioner is not in the Patient compartment")
	require.Error(t, sq.InCompartment("Observation", "o1"))
}
