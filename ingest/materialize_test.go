package ingest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/store"
)

// bpView is a custom view: one row per component of a blood-pressure panel.
const bpView = `{"resourceType":"ViewDefinition","name":"bp","resource":"Observation",
 "where":[{"path":"code.coding.where(code = '85354-9').exists()"}],
 "select":[{"column":[{"name":"id","path":"getResourceKey()"}]},
  {"forEach":"component","column":[{"name":"code","path":"code.coding.first().code"},{"name":"value","path":"valueQuantity.value","type":"decimal"}]}]}`

// materializeEnv is a data store "demo" with the default views, two
// Observations (one blood-pressure panel) and one Patient.
func materializeEnv(t *testing.T) (*catalog.Catalog, *store.Store) {
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
	_, err = st.Put(ctx, []store.Input{
		{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","id":"p1","gender":"female"}`)},
		{Type: "Observation", ID: "o1", Body: []byte(`{"resourceType":"Observation","id":"o1","status":"final",
		 "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},"subject":{"reference":"Patient/p1"},
		 "component":[{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"value":120}},
		              {"code":{"coding":[{"code":"8462-4"}]},"valueQuantity":{"value":80}}]}`)},
		{Type: "Observation", ID: "o2", Body: []byte(`{"resourceType":"Observation","id":"o2","status":"final",
		 "code":{"coding":[{"system":"http://loinc.org","code":"8302-2"}]},"valueQuantity":{"value":170}}`)},
	})
	require.NoError(t, err)
	require.NoError(t, InstallDefaultViews(ctx, cat, "demo", st))
	return cat, st
}

func viewsByName(t *testing.T, cat *catalog.Catalog) map[string]catalog.View {
	t.Helper()
	list, err := cat.Views("demo")
	require.NoError(t, err)
	out := map[string]catalog.View{}
	for _, v := range list {
		out[v.Name] = v
	}
	return out
}

func TestMaterializeViews(t *testing.T) {
	ctx := context.Background()
	cat, st := materializeEnv(t)
	before := viewsByName(t, cat)
	require.True(t, before["patient"].Default)
	require.EqualValues(t, 1, before["patient"].Rows)
	require.EqualValues(t, 2, before["observation"].Rows)

	require.NoError(t, cat.PutView("demo", catalog.View{Name: "bp", Resource: "Observation", Definition: []byte(bpView)}))
	reports, err := MaterializeViews(ctx, cat, "demo", st, []string{"bp"})
	require.NoError(t, err)
	require.Equal(t, []ViewReport{{View: "bp", Rows: 2}}, reports)

	after := viewsByName(t, cat)
	require.EqualValues(t, 2, after["bp"].Rows)
	require.NotEmpty(t, after["bp"].Files)
	require.False(t, after["bp"].Default)
	for name, v := range before {
		require.Equal(t, v, after[name], "view %s is untouched", name)
	}
	g, err := cat.Garbage("demo")
	require.NoError(t, err)
	require.Empty(t, g, "a new view replaces no file")

	// Rebuilding replaces the files; the old ones stay on disk until Sweep.
	old := after["bp"].Files
	_, err = MaterializeViews(ctx, cat, "demo", st, []string{"bp"})
	require.NoError(t, err)
	g, err = cat.Garbage("demo")
	require.NoError(t, err)
	require.Len(t, g, len(old))
	for _, f := range old {
		require.Contains(t, g, f.Path)
		require.FileExists(t, filepath.Join(cat.DatastoreDir("demo"), f.Path))
	}
	n, err := cat.Sweep("demo")
	require.NoError(t, err)
	require.Equal(t, len(old), n)
	for _, f := range old {
		require.NoFileExists(t, filepath.Join(cat.DatastoreDir("demo"), f.Path))
	}
	for _, f := range viewsByName(t, cat)["bp"].Files {
		require.FileExists(t, filepath.Join(cat.DatastoreDir("demo"), f.Path))
	}
}

func TestMaterializeViewsErrors(t *testing.T) {
	ctx := context.Background()
	cat, st := materializeEnv(t)
	before := viewsByName(t, cat)
	tests := []struct {
		name    string
		ds      string
		views   []string
		wantErr string
	}{
		{"unknown view", "demo", []string{"patient", "nope"}, `view demo.nope`},
		{"unknown data store", "other", []string{"patient"}, `data store "other"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := MaterializeViews(ctx, cat, tt.ds, st, tt.views)
			require.ErrorIs(t, err, catalog.ErrNotFound)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
	require.Equal(t, before, viewsByName(t, cat), "nothing was rebuilt")
}
