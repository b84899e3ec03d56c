package jobs

import (
	"go/build"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestForbiddenImports keeps jobs free of the project's packages (api
// imports it, and api must not reach engine or ingest) and of DuckDB.
func TestForbiddenImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	for _, imp := range pkg.Imports {
		require.False(t, strings.HasPrefix(imp, "github.com/fhirlake/fhirlake/"), "jobs imports %s", imp)
		require.NotContains(t, imp, "duckdb", "jobs imports %s", imp)
	}
}
