package api

import (
	"go/build"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestForbiddenImports checks that api depends, even indirectly, on neither
// engine nor ingest (STYLE.md §1).
func TestForbiddenImports(t *testing.T) {
	const module = "github.com/fhirlake/fhirlake/"
	forbidden := []string{module + "engine", module + "ingest"}
	seen := map[string]bool{}
	var walk func(dir, path string)
	walk = func(dir, path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		pkg, err := build.ImportDir(dir, 0)
		require.NoError(t, err, path)
		for _, imp := range pkg.Imports {
			for _, f := range forbidden {
				require.False(t, imp == f || strings.HasPrefix(imp, f+"/"), "%s imports %s", path, imp)
			}
			if strings.HasPrefix(imp, module) {
				walk(filepath.Join("..", strings.TrimPrefix(imp, module)), imp)
			}
		}
	}
	walk(".", module+"api")
	require.True(t, seen[module+"store"], "the walk should reach store")
}
