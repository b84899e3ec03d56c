package deid

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/fhir/r4"
	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files of testdata/golden")

// TestGolden runs each testdata/golden/<name>.json through every mode and
// compares the indented output with <name>.<mode>.golden. Inputs and
// outputs must both pass r4.Validate. Rewrite with -rewrite, then review
// the diff.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/golden/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	modes := []struct {
		name string
		opts Options
	}{
		{"remove", Options{}},
		{"redact", Options{RedactText: true}},
		{"shift", Options{ShiftDates: true}},
	}
	for _, in := range inputs {
		body, err := os.ReadFile(in)
		require.NoError(t, err)
		require.Empty(t, r4.Validate(body), in)
		for _, m := range modes {
			name := strings.TrimSuffix(filepath.Base(in), ".json") + "." + m.name
			t.Run(name, func(t *testing.T) {
				out, err := newTest(t, m.opts).Resource(context.Background(), body)
				require.NoError(t, err)
				require.Empty(t, r4.Validate(out), "%s", out)
				var pretty bytes.Buffer
				require.NoError(t, json.Indent(&pretty, out, "", "  "))
				pretty.WriteByte('\n')
				path := filepath.Join("testdata/golden", name+".golden")
				if *rewrite {
					require.NoError(t, os.WriteFile(path, pretty.Bytes(), 0o644))
					return
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err)
				require.Equal(t, string(want), pretty.String())
			})
		}
	}
}
