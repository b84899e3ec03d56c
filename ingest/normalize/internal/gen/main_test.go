package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestElementsUpToDate fails when ../../elements.txt is not what the
// generator makes from the current fhir/r4 definitions.
func TestElementsUpToDate(t *testing.T) {
	in, err := os.Open("../../../../fhir/r4/defs.txt.gz")
	require.NoError(t, err)
	defer in.Close()
	var got bytes.Buffer
	require.NoError(t, generate(in, &got))
	want, err := os.ReadFile("../../elements.txt")
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got.Bytes()), "elements.txt is stale: run go generate in ingest/normalize")
}

// TestGenerateKeepsTargets checks a few facts of the generated table.
func TestGenerateKeepsTargets(t *testing.T) {
	want, err := os.ReadFile("../../elements.txt")
	require.NoError(t, err)
	for _, line := range []string{
		"T\tPatient\n", "birthDate\tdate\t\n", "gender\tcode\tmale|female|other|unknown\n",
		"valueQuantity\tQuantity\t\n", "effectiveDateTime\tdateTime\t\n",
		"T\tObservation.component\n", "contained\tResource\t\n", "link\tBundle.link\t\n",
	} {
		require.Contains(t, string(want), line)
	}
	require.NotContains(t, string(want), "\nfamily\tstring", "string elements are left out")
	require.NotContains(t, string(want), "\tboolean\t", "boolean elements are left out")
}
