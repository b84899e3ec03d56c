package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/deid"
	"github.com/fhirlake/fhirlake/store"
)

// identifiedPatient is a Patient with every kind of identifying value
// the twins must drop; the values contain i so each is unique.
func identifiedPatient(i int, gender string) store.Input {
	id := fmt.Sprintf("p%03d", i)
	return store.Input{Type: "Patient", ID: id, Body: fmt.Appendf(nil, `{"resourceType":"Patient","id":%q,"gender":%q,
	 "identifier":[{"system":"urn:mrn","value":"MRN-%05d"}],
	 "name":[{"family":"Zyxwick%d","given":["Quillon%d"]}],
	 "telecom":[{"system":"phone","value":"555-01%02d"}],
	 "birthDate":"19%02d-03-1%d",
	 "address":[{"line":["%d Elmwood Lane"],"city":"Springvale%d","state":"MA","postalCode":"021%02d"}]}`,
		id, gender, i, i, i, i, 50+i, i%10, 100+i, i, i)}
}

func deidKey(string) ([]byte, error) { return []byte("0123456789abcdef0123456789abcdef"), nil }

// deidEnv is a data store "demo" with the default views and their
// de-identified twins over n identified patients.
func deidEnv(t *testing.T, n int) (*catalog.Catalog, Catalog, *store.Store) {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cat.Close() })
	_, err = cat.CreateDatastore("demo")
	require.NoError(t, err)
	st, err := store.Open(filepath.Join(cat.DatastoreDir("demo"), "raw.db"), store.Options{NoSync: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	var in []store.Input
	for i := range n {
		in = append(in, identifiedPatient(i, []string{"female", "male"}[i%2]))
	}
	_, err = st.Put(ctx, in)
	require.NoError(t, err)
	dc := WithDeid(cat, deidKey)
	require.NoError(t, InstallDefaultViews(ctx, dc, "demo", st))
	deidRefresh(t, cat, dc, st)
	return cat, dc, st
}

// deidRefresh runs Refresh with the twins from the materialized sequence.
func deidRefresh(t *testing.T, cat *catalog.Catalog, dc Catalog, st *store.Store) {
	t.Helper()
	since, err := cat.MaterializedSeq("demo")
	require.NoError(t, err)
	head, _, err := Refresh(context.Background(), dc, "demo", st, since)
	require.NoError(t, err)
	require.NoError(t, cat.SetMaterializedSeq("demo", head))
}

// requireNoIdentifiers fails if any row of the twin holds an identifying
// value of patient i (i < n) or its original id.
func requireNoIdentifiers(t *testing.T, rows []string, n int) {
	t.Helper()
	all := strings.Join(rows, "\n")
	for i := range n {
		for _, v := range []string{fmt.Sprintf("p%03d", i), fmt.Sprintf("MRN-%05d", i), fmt.Sprintf("Zyxwick%d", i),
			fmt.Sprintf("Quillon%d", i), fmt.Sprintf("555-01%02d", i), fmt.Sprintf("19%02d-03-1%d", 50+i, i%10),
			fmt.Sprintf("%d Elmwood", 100+i), fmt.Sprintf("Springvale%d", i), fmt.Sprintf("021%02d", i)} {
			require.NotContains(t, all, v)
		}
	}
}

// genderCounts counts the rows of the patient view (or twin) by gender.
func genderCounts(t *testing.T, rows []string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, r := range rows {
		for _, g := range []string{"|female|", "|male|"} {
			if strings.Contains(r, g) {
				out[g]++
			}
		}
	}
	return out
}

func TestDeidTwins(t *testing.T) {
	ctx := context.Background()
	const n = 12
	cat, dc, st := deidEnv(t, n)

	byName := viewsByName(t, cat)
	for name, v := range byName {
		if v.Kind != "" {
			continue
		}
		twin, ok := byName[catalog.DeidName(name)]
		require.True(t, ok, "view %s has a twin", name)
		require.Equal(t, catalog.KindDeid, twin.Kind)
		require.Equal(t, v.Definition, twin.Definition)
		require.Equal(t, v.Rows, twin.Rows, "twin of %s", name)
		require.NotEmpty(t, twin.Files)
	}
	plain, twin := liveRows(t, cat, "patient"), liveRows(t, cat, "deid.patient")
	require.Len(t, twin, n)
	require.Contains(t, strings.Join(plain, "\n"), "Zyxwick3", "the identified view keeps names")
	requireNoIdentifiers(t, twin, n)
	require.Equal(t, genderCounts(t, plain), genderCounts(t, twin))
	require.Contains(t, strings.Join(twin, "\n"), "|1953|", "birth dates keep their year")

	// An incremental refresh adds a generation to the twin too, keyed by
	// pseudonymous ids, so the changed patient's old row is superseded.
	_, err := st.Put(ctx, []store.Input{identifiedPatient(n, "female"), identifiedPatient(2, "male")})
	require.NoError(t, err)
	deidRefresh(t, cat, dc, st)
	tv, err := cat.View("demo", "deid.patient")
	require.NoError(t, err)
	require.Equal(t, []int{1, 2}, generations(tv))
	plain, twin = liveRows(t, cat, "patient"), liveRows(t, cat, "deid.patient")
	require.Len(t, twin, n+1)
	requireNoIdentifiers(t, twin, n+1)
	require.Equal(t, genderCounts(t, plain), genderCounts(t, twin))

	// A changed definition rebuilds the twin with it.
	cv := byName["patient_link"]
	cv.Definition = []byte(strings.Replace(string(cv.Definition), `"name": "patient_link"`, `"name": "patient_link", "description": "changed"`, 1))
	require.NoError(t, cat.PutView("demo", cv))
	_, err = MaterializeViews(ctx, dc, "demo", st, []string{"patient_link"})
	require.NoError(t, err)
	tv, err = cat.View("demo", "deid.patient_link")
	require.NoError(t, err)
	require.Equal(t, string(cv.Definition), string(tv.Definition))
	require.NotEmpty(t, tv.Files)

	// Deleting a view deletes its twin; a twin left without its view is
	// removed by the next refresh.
	require.NoError(t, cat.DeleteView("demo", "patient_link"))
	_, err = cat.View("demo", "deid.patient_link")
	require.ErrorIs(t, err, catalog.ErrNotFound)
	require.NoError(t, cat.PutView("demo", catalog.View{Name: catalog.DeidName("gone"), Resource: "Patient",
		Definition: tv.Definition, Kind: catalog.KindDeid}))
	deidRefresh(t, cat, dc, st)
	_, err = cat.View("demo", "deid.gone")
	require.ErrorIs(t, err, catalog.ErrNotFound)

	// Without a key, twins are not rebuilt from identified resources.
	_, err = Materialize(ctx, cat, "demo", st)
	require.ErrorContains(t, err, "needs a de-identification key")
}

// TestLeadingID checks that the id read from the front of a
// de-identified body is pseudoID's, and that other shapes fall back.
func TestLeadingID(t *testing.T) {
	ctx := context.Background()
	key, _ := deidKey("demo")
	d, err := deid.New(deid.Options{Key: key})
	require.NoError(t, err)
	p := identifiedPatient(1, "male")
	out, err := d.Resource(ctx, p.Body)
	require.NoError(t, err)
	want, err := pseudoID(ctx, d, "Patient", p.ID)
	require.NoError(t, err)
	tests := []struct {
		name, body, typ, want string
		ok                    bool
	}{
		{"de-identified patient", string(out), "Patient", want, true},
		{"other type", string(out), "Observation", "", false},
		{"id not second", `{"id":"x","resourceType":"Patient"}`, "Patient", "", false},
		{"escaped id", `{"resourceType":"Patient","id":"a\"b"}`, "Patient", "", false},
		{"empty id", `{"resourceType":"Patient","id":""}`, "Patient", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := leadingID([]byte(tt.body), tt.typ)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}
