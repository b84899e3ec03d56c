package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestForbiddenImports keeps the layering of ARCHITECTURE.md true: the
// protocol edges never reach into the engine or the import pipeline, only
// the engine links DuckDB, and the pure packages stay pure.
func TestForbiddenImports(t *testing.T) {
	const mod = "github.com/fhirlake/fhirlake/"
	forbidden := map[string][]string{
		"wire":    {mod + "engine", mod + "ingest", mod + "store", "github.com/duckdb/"},
		"api":     {mod + "engine", mod + "ingest", mod + "wire", "github.com/duckdb/"},
		"flatten": {mod + "engine", mod + "ingest", mod + "store", mod + "catalog", "github.com/duckdb/"},
		"store":   {mod + "engine", mod + "ingest", mod + "flatten", mod + "catalog", "github.com/duckdb/"},
		"catalog": {mod + "engine", mod + "ingest", mod + "store", mod + "flatten", "github.com/duckdb/"},
		"ingest":  {mod + "engine", mod + "wire", mod + "api", "github.com/duckdb/"},
		"synth":   {mod + "engine", mod + "ingest", mod + "store", "github.com/duckdb/"},
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", mod+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range bad {
				if strings.HasPrefix(dep, b) {
					t.Errorf("%s must not depend on %s (ARCHITECTURE.md)", pkg, dep)
				}
			}
		}
	}
}
