package jobs

import (
	"go/build"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// allowedImports are the project's packages jobs may import: leaves that
// import only the standard library (internal/sealed encrypts job files).
var allowedImports = map[string]bool{
	"github.com/fhirlake/fhirlake/internal/sealed": true,
}

// TestForbiddenImports keeps jobs free of the project's packages (api
// imports it, and api must not reach engine or ingest) and of DuckDB,
// except for the standard-library-only leaves of allowedImports.
func TestForbiddenImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	for _, imp := range pkg.Imports {
		require.NotContains(t, imp, "duckdb", "jobs imports %s", imp)
		if !strings.HasPrefix(imp, "github.com/fhirlake/fhirlake/") {
			continue
		}
		require.True(t, allowedImports[imp], "jobs imports %s", imp)
		leaf, err := build.Import(imp, ".", 0)
		require.NoError(t, err)
		for _, sub := range leaf.Imports {
			require.NotContains(t, sub, ".", "%s, which jobs imports, imports %s: not a standard library leaf", imp, sub)
		}
	}
}
