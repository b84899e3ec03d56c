package csvmap

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/fhir/r4"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.ndjson")

// goldenLine is one line of a golden file: an output or a row error.
type goldenLine struct {
	Line        int             `json:"line,omitempty"`
	Alias       string          `json:"alias,omitempty"`
	ID          string          `json:"id,omitempty"`
	IfNoneExist string          `json:"ifNoneExist,omitempty"`
	Resource    json.RawMessage `json:"resource,omitempty"`
	Error       string          `json:"error,omitempty"`
}

// convertFile runs a mapping over a CSV file and renders the golden
// NDJSON, proving on the way that every output is a valid resource.
func convertFile(t *testing.T, mapping, csvFile string) ([]byte, Stats) {
	t.Helper()
	m, err := LoadFile(mapping)
	require.NoError(t, err)
	f, err := os.Open(csvFile)
	require.NoError(t, err)
	defer f.Close()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	st, err := m.Convert(context.Background(), f, filepath.Base(csvFile),
		func(o Output) error {
			require.Empty(t, r4.Validate(o.Resource), "line %d %s", o.Line, o.Resource)
			return enc.Encode(goldenLine{Line: o.Line, Alias: o.Alias, ID: o.ID, IfNoneExist: o.IfNoneExist, Resource: o.Resource})
		},
		func(re *RowError) error {
			require.Positive(t, re.Line)
			return enc.Encode(goldenLine{Error: re.Error()})
		})
	require.NoError(t, err)
	return out.Bytes(), st
}

func TestWorkedExamples(t *testing.T) {
	tests := []struct {
		name, mapping, csv string
		want               Stats
	}{
		{"patients", "testdata/patients.yaml", "testdata/patients.csv", Stats{Rows: 8, Resources: 4, Rejected: 4}},
		{"labs", "testdata/labs.json", "testdata/labs.csv", Stats{Rows: 7, Resources: 8, Rejected: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, st := convertFile(t, tt.mapping, tt.csv)
			golden := filepath.Join("testdata", tt.name+".golden.ndjson")
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
			require.Equal(t, tt.want, st)
		})
	}
}

// TestReadmeExamples keeps the worked examples of README.md identical to
// the fixtures they document.
func TestReadmeExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, f := range []string{"patients.yaml", "patients.csv", "labs.json", "labs.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		require.NoError(t, err)
		b = bytes.TrimPrefix(b, []byte("\ufeff"))
		require.Contains(t, string(readme), string(b), "README.md must quote testdata/%s verbatim", f)
	}
	for _, f := range []string{"patients.golden.ndjson", "labs.golden.ndjson"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		require.NoError(t, err)
		for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			var g goldenLine
			require.NoError(t, json.Unmarshal(line, &g))
			if g.Error != "" {
				require.Contains(t, string(readme), g.Error+"\n", "README.md must list the errors of %s", f)
			}
		}
	}
}
