package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/synth"
	"github.com/stretchr/testify/require"
)

// Each flatten shape gives the same rows through fhirlake and through its
// DuckDB SQL, and every column holds values (so the comparison is not
// between two empty or all-NULL outputs).
func TestFlattenShapes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, err := synth.Generate(ctx, synth.Options{Patients: 5, Seed: 1, Out: filepath.Join(dir, "ndjson")})
	require.NoError(t, err)
	shapes, err := flattenShapes()
	require.NoError(t, err)
	require.Len(t, shapes, 4, "issue 3 asks for four view shapes")
	db, err := newDuckDB(ctx)
	require.NoError(t, err)
	defer db.Close()
	for _, sh := range shapes {
		t.Run(sh.Name, func(t *testing.T) {
			src := filepath.Join(dir, "ndjson", sh.Resource+".ndjson")
			fl := filepath.Join(dir, sh.Name, "fl")
			require.NoError(t, freshDir(fl))
			n, err := flattenFile(ctx, sh.View, src, fl, 3)
			require.NoError(t, err)
			require.Positive(t, n)
			duck := filepath.Join(dir, sh.Name, "duck.parquet")
			_, err = db.ExecContext(ctx, "COPY ("+strings.ReplaceAll(sh.DuckDBSQL, "{{file}}", sqlString(src))+") TO "+sqlString(duck)+" (FORMAT parquet)")
			require.NoError(t, err)
			require.NoError(t, sameParquetRows(ctx, db, filepath.Join(fl, "*.parquet"), duck, sh.View.Columns()))
			for _, col := range sh.View.Columns() {
				var nonNull int
				require.NoError(t, db.QueryRowContext(ctx, fmt.Sprintf(`SELECT count("%s") FROM read_parquet(%s)`, col, sqlString(filepath.Join(fl, "*.parquet")))).Scan(&nonNull))
				require.Positive(t, nonNull, "column %s is always NULL", col)
			}
		})
	}
	t.Run("different outputs fail", func(t *testing.T) {
		a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
		_, err := db.ExecContext(ctx, "COPY (SELECT 1 AS x UNION ALL SELECT 2) TO "+sqlString(a)+" (FORMAT parquet)")
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "COPY (SELECT 1 AS x UNION ALL SELECT 1) TO "+sqlString(b)+" (FORMAT parquet)")
		require.NoError(t, err)
		require.ErrorContains(t, sameParquetRows(ctx, db, a, b, nil), "outputs differ: 1 rows")
		require.NoError(t, os.Remove(b))
	})
}
