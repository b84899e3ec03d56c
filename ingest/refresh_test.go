package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/search"
	"github.com/fhirlake/fhirlake/store"
)

// refreshEnv is a data store with the default views over n patients.
func refreshEnv(t *testing.T, n int) (*catalog.Catalog, *store.Store) {
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
	require.NoError(t, InstallDefaultViews(ctx, cat, "demo", st))
	var in []store.Input
	for i := range n {
		in = append(in, patientInput(i, "female"))
	}
	_, err = st.Put(ctx, in)
	require.NoError(t, err)
	refreshTo(t, cat, st)
	return cat, st
}

func patientInput(i int, gender string) store.Input {
	id := fmt.Sprintf("p%03d", i)
	return store.Input{Type: "Patient", ID: id, Body: fmt.Appendf(nil,
		`{"resourceType":"Patient","id":%q,"gender":%q,"name":[{"family":"F%d","given":["A","B"]}]}`, id, gender, i)}
}

// refreshTo runs Refresh from the catalog's materialized sequence and
// records the new one, as the commands do.
func refreshTo(t *testing.T, cat *catalog.Catalog, st *store.Store) []ViewReport {
	t.Helper()
	since, err := cat.MaterializedSeq("demo")
	require.NoError(t, err)
	head, reports, err := Refresh(context.Background(), cat, "demo", st, since)
	require.NoError(t, err)
	require.NoError(t, cat.SetMaterializedSeq("demo", head))
	return reports
}

// liveRows reads a view's files the way the engine's view does (see
// catalog.File) and returns its rows, each rendered as text with its key,
// sorted.
func liveRows(t *testing.T, cat *catalog.Catalog, name string) []string {
	t.Helper()
	v, err := cat.View("demo", name)
	require.NoError(t, err)
	deletedAfter := map[string]int{} // key → highest generation that deletes it
	for _, f := range v.Files {
		if f.Deletes {
			for _, row := range readParquet(t, filepath.Join(cat.DatastoreDir("demo"), f.Path)) {
				deletedAfter[row[0]] = max(deletedAfter[row[0]], f.Gen)
			}
		}
	}
	var out []string
	for _, f := range v.Files {
		if f.Deletes {
			continue
		}
		for _, row := range readParquet(t, filepath.Join(cat.DatastoreDir("demo"), f.Path)) {
			key := row[len(row)-1]
			if deletedAfter[key] > f.Gen {
				continue
			}
			out = append(out, strings.Join(row, "|"))
		}
	}
	sort.Strings(out)
	return out
}

// readParquet returns the rows of a Parquet file as text.
func readParquet(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	require.NoError(t, err)
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 1024}, memory.DefaultAllocator)
	require.NoError(t, err)
	tbl, err := fr.ReadTable(context.Background())
	require.NoError(t, err)
	defer tbl.Release()
	var rows [][]string
	for r := range tbl.NumRows() {
		row := make([]string, tbl.NumCols())
		for c := range int(tbl.NumCols()) {
			col := tbl.Column(c).Data()
			off := r
			for _, chunk := range col.Chunks() {
				if off < int64(chunk.Len()) {
					row[c] = chunk.ValueStr(int(off))
					break
				}
				off -= int64(chunk.Len())
			}
		}
		rows = append(rows, row)
	}
	require.Equal(t, catalog.KeyColumn, pr.MetaData().Schema.Column(int(tbl.NumCols())-1).Name(), "the key is the last column")
	return rows
}

func generations(v catalog.View) []int {
	var gens []int
	for _, f := range v.Files {
		gens = append(gens, f.Gen)
	}
	slices.Sort(gens)
	return slices.Compact(gens)
}

// TestRefreshIncremental checks that a small change adds a generation with
// only the changed resources, and that the view then reads exactly as a
// full rebuild does.
func TestRefreshIncremental(t *testing.T) {
	ctx := context.Background()
	cat, st := refreshEnv(t, 40)
	before := viewsByName(t, cat)
	require.Equal(t, []int{1}, generations(before["patient"]))
	require.Equal(t, catalog.CurrentLayout, before["patient"].Layout)

	_, err := st.Put(ctx, []store.Input{patientInput(3, "male"), patientInput(7, "other"), patientInput(40, "unknown")})
	require.NoError(t, err)
	_, err = st.Delete(ctx, "Patient", "p011")
	require.NoError(t, err)
	reports := refreshTo(t, cat, st)
	require.Equal(t, []ViewReport{{View: "patient", Rows: 3}, {View: "patient_link"}, {View: "search_patient", Rows: 42}}, reports,
		"only the views over Patient change: three resources flattened, the deleted one not; 14 index rows each")

	after := viewsByName(t, cat)
	require.Equal(t, []int{1, 2}, generations(after["patient"]))
	require.Equal(t, before["observation"], after["observation"], "views over other types are untouched")
	var deletes []catalog.File
	for _, f := range after["patient"].Files {
		if f.Deletes {
			deletes = append(deletes, f)
		}
	}
	require.Len(t, deletes, 1)
	require.Equal(t, 2, deletes[0].Gen)
	var keys []string
	for _, row := range readParquet(t, filepath.Join(cat.DatastoreDir("demo"), deletes[0].Path)) {
		keys = append(keys, row[0])
	}
	require.Equal(t, []string{"p003", "p007", "p011", "p040"}, keys)

	incremental := liveRows(t, cat, "patient")
	require.Len(t, incremental, 40)
	_, err = MaterializeViews(ctx, cat, "demo", st, []string{"patient"})
	require.NoError(t, err)
	require.Equal(t, []int{1}, generations(viewsByName(t, cat)["patient"]))
	require.Equal(t, liveRows(t, cat, "patient"), incremental, "merge-on-read equals a full rebuild")
	require.Contains(t, strings.Join(incremental, "\n"), "p003|(null)|male|")
	require.NotContains(t, strings.Join(incremental, "\n"), "p011")
}

// TestRefreshFullRebuild checks the cases that rebuild a type's views from
// a full scan: many changes, too many generations, an old layout.
func TestRefreshFullRebuild(t *testing.T) {
	ctx := context.Background()
	t.Run("many changes", func(t *testing.T) {
		cat, st := refreshEnv(t, 100)
		var in []store.Input
		for i := range 90 {
			in = append(in, patientInput(i, "male"))
		}
		_, err := st.Put(ctx, in)
		require.NoError(t, err)
		refreshTo(t, cat, st)
		v := viewsByName(t, cat)["patient"]
		require.Equal(t, []int{1}, generations(v))
		require.EqualValues(t, 100, v.Rows)
		g, err := cat.Garbage("demo")
		require.NoError(t, err)
		require.NotEmpty(t, g, "the replaced files are garbage")
	})
	t.Run("too many generations fold into one", func(t *testing.T) {
		cat, st := refreshEnv(t, 100)
		require.NotZero(t, viewsByName(t, cat)["patient"].Base)
		for i := range maxGenerations - 1 {
			_, err := st.Put(ctx, []store.Input{patientInput(i, "male")})
			require.NoError(t, err)
			refreshTo(t, cat, st)
		}
		v := viewsByName(t, cat)["patient"]
		require.Equal(t, maxGenerations, slices.Max(generations(v)))
		_, err := st.Put(ctx, []store.Input{patientInput(50, "male")})
		require.NoError(t, err)
		_, err = st.Delete(ctx, "Patient", "p060")
		require.NoError(t, err)
		refreshTo(t, cat, st)
		v = viewsByName(t, cat)["patient"]
		require.Equal(t, []int{1, 2}, generations(v), "generations 2 to 9 folded into one")
		require.EqualValues(t, 100+8, v.Rows, "the first generation's rows (superseded ones counted) plus the 8 changed live ones")
		folded := liveRows(t, cat, "patient")
		require.Len(t, folded, 99)
		_, err = MaterializeViews(ctx, cat, "demo", st, []string{"patient"})
		require.NoError(t, err)
		require.Equal(t, liveRows(t, cat, "patient"), folded, "the folded view equals a full rebuild")
	})
	t.Run("folds keep older, bigger generations", func(t *testing.T) {
		cat, st := refreshEnv(t, 100)
		var in []store.Input
		for i := range 10 {
			in = append(in, patientInput(i, "male"))
		}
		_, err := st.Put(ctx, in)
		require.NoError(t, err)
		refreshTo(t, cat, st) // generation 2: 10 resources
		for i := range maxGenerations - 2 {
			_, err := st.Put(ctx, []store.Input{patientInput(20+i, "male")})
			require.NoError(t, err)
			refreshTo(t, cat, st) // generations 3 to 8: one each
		}
		require.Equal(t, maxGenerations, slices.Max(generations(viewsByName(t, cat)["patient"])))
		_, err = st.Put(ctx, []store.Input{patientInput(50, "male")})
		require.NoError(t, err)
		refreshTo(t, cat, st)
		v := viewsByName(t, cat)["patient"]
		require.Equal(t, []int{1, 2, 3}, generations(v), "generation 2 (10) is bigger than 3..8 (6): only 3..8 and the new change fold")
		for _, f := range v.Files {
			if f.Gen == 3 && f.Deletes {
				require.EqualValues(t, 7, f.Rows, "the fold re-flattened the 7 resources changed since generation 3 began")
			}
			if f.Gen > 1 {
				require.NotZero(t, f.Since)
			}
		}
		folded := liveRows(t, cat, "patient")
		_, err = MaterializeViews(ctx, cat, "demo", st, []string{"patient"})
		require.NoError(t, err)
		require.Equal(t, liveRows(t, cat, "patient"), folded, "the folded view equals a full rebuild")
	})
	t.Run("a fold of too many changes rebuilds", func(t *testing.T) {
		cat, st := refreshEnv(t, 40)
		for i := range maxGenerations {
			_, err := st.Put(ctx, []store.Input{patientInput(2*i, "male"), patientInput(2*i+1, "male")})
			require.NoError(t, err)
			refreshTo(t, cat, st)
		}
		v := viewsByName(t, cat)["patient"]
		require.Equal(t, []int{1}, generations(v), "16 of 40 changed since the base: rebuilt from a scan")
		require.Len(t, liveRows(t, cat, "patient"), 40)
	})
	t.Run("old layout", func(t *testing.T) {
		cat, st := refreshEnv(t, 10)
		v := viewsByName(t, cat)["patient"]
		v.Layout = 0
		require.NoError(t, cat.PutView("demo", v))
		reports := refreshTo(t, cat, st)
		require.Equal(t, []ViewReport{{View: "patient", Rows: 10}, {View: "patient_link"}, {View: "search_patient", Rows: 140}}, reports, "rebuilt although nothing changed")
		require.Equal(t, catalog.CurrentLayout, viewsByName(t, cat)["patient"].Layout)
	})
	t.Run("search index of an older version", func(t *testing.T) {
		cat, st := refreshEnv(t, 10)
		v := viewsByName(t, cat)["search_patient"]
		require.Equal(t, search.IndexVersion, string(v.Definition))
		v.Definition = []byte(`{"searchIndex":1}`)
		require.NoError(t, cat.PutView("demo", v))
		reports := refreshTo(t, cat, st)
		require.Equal(t, []ViewReport{{View: "patient", Rows: 10}, {View: "patient_link"}, {View: "search_patient", Rows: 140}}, reports, "the type's tables are rebuilt")
		require.Equal(t, search.IndexVersion, string(viewsByName(t, cat)["search_patient"].Definition))
	})
	t.Run("nothing to do", func(t *testing.T) {
		cat, st := refreshEnv(t, 10)
		require.Empty(t, refreshTo(t, cat, st))
	})
}
