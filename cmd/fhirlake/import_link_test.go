package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/store"
)

// TestImportLinksDuplicatePatients: an import that writes Patients ends
// with record linkage, so generated duplicates from a second source are
// linked with Patient.link (never merged), and importing the same files
// again writes no version.
func TestImportLinksDuplicatePatients(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "120", "--seed", "5", "--duplicates", "0.2", "--out", gen}, &out, &out), out.String())
	imp := func() string {
		var stdout, stderr bytes.Buffer
		require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "link", gen}, &stdout, &stderr), stderr.String())
		return stdout.String() + stderr.String()
	}
	first := imp()
	require.Contains(t, first, "pairs of likely duplicates linked with Patient.link")
	require.Regexp(t, `link [0-9.]+, views`, first)

	l, err := openLake(data, "test")
	require.NoError(t, err)
	st, err := l.store("link")
	require.NoError(t, err)
	linked := 0
	require.NoError(t, st.Scan(ctx, "Patient", func(r store.Resource) error {
		if strings.Contains(string(r.Body), `"link":[`) {
			linked++
		}
		return nil
	}))
	counts, err := st.Counts(ctx)
	require.NoError(t, err)
	seq, err := st.Seq(ctx)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	require.Greater(t, counts["Patient"], 120, "duplicates are kept as Patients of their own")
	require.GreaterOrEqual(t, linked, 2*(counts["Patient"]-120)*8/10, "most duplicate pairs are linked both ways")

	imp()
	l, err = openLake(data, "test")
	require.NoError(t, err)
	defer l.Close()
	st, err = l.store("link")
	require.NoError(t, err)
	again, err := st.Seq(ctx)
	require.NoError(t, err)
	require.Equal(t, seq, again, "a second import of the same files writes no version")
}
