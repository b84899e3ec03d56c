package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/catalog"
)

// TestMergeOnRead checks a view over several generations of files (see
// catalog.File): each generation's rows, less those a later deletes file
// names, without the key column.
func TestMergeOnRead(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	data := func(name string, gen int, query string) catalog.File {
		f := env.w.file("demo", name, query)
		f.Gen = gen
		return f
	}
	deletes := func(name string, gen int, keys string) catalog.File {
		f := env.w.file("demo", name, "SELECT unnest(["+keys+"]) AS _rid")
		f.Gen, f.Deletes = gen, true
		return f
	}
	v := catalog.View{Name: "patient", Layout: catalog.CurrentLayout, Files: []catalog.File{
		data("p.1.a.parquet", 1, `SELECT * FROM (VALUES ('p1', 'female', 'p1'), ('p2', 'male', 'p2'), ('p3', 'other', 'p3'), ('p3', 'other2', 'p3')) t(id, gender, _rid)`),
		data("p.1.b.parquet", 1, `SELECT * FROM (VALUES ('p5', 'female', 'p5')) t(id, gender, _rid)`),
		data("p.2.a.parquet", 2, `SELECT * FROM (VALUES ('p2', 'female', 'p2')) t(id, gender, _rid)`),
		deletes("p.2.del.parquet", 2, "'p2', 'p3'"),
		data("p.3.a.parquet", 3, `SELECT * FROM (VALUES ('p4', 'unknown', 'p4')) t(id, gender, _rid)`),
		deletes("p.3.del.parquet", 3, "'p1', 'p4'"),
	}}
	env.cat.setViews("demo", v)
	require.NoError(t, env.e.Refresh(ctx, "demo"))
	s, err := env.e.Open(ctx, "demo", "alice")
	require.NoError(t, err)
	defer s.Close()
	cols, rows, _, err := collect(ctx, s, "SELECT * FROM patient ORDER BY id")
	require.NoError(t, err)
	require.Len(t, cols, 2, "the key column is hidden")
	require.Equal(t, "gender", cols[1].Name)
	require.Equal(t, [][]any{{"p2", "female"}, {"p4", "unknown"}, {"p5", "female"}}, rows)

	_, rows, _, err = collect(ctx, s, "SELECT column_name FROM information_schema.columns WHERE table_name = 'patient' ORDER BY ordinal_position")
	require.NoError(t, err)
	require.Equal(t, [][]any{{"id"}, {"gender"}}, rows)

	// One generation without deletes reads its files directly.
	env.cat.setViews("demo", catalog.View{Name: "patient", Layout: catalog.CurrentLayout, Files: v.Files[:2]})
	require.NoError(t, env.e.Refresh(ctx, "demo"))
	_, rows, _, err = collect(ctx, s, "SELECT count(*) FROM patient")
	require.NoError(t, err)
	require.Equal(t, [][]any{{int64(5)}}, rows)
}
