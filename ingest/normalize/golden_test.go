package normalize

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/fhir/r4"
	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files under testdata/")

// TestGolden normalises each testdata/golden/<name>.json and compares the
// result with <name>.out (the output JSON, or "unchanged") and the changes
// with <name>.changes.json (-rewrite updates them). Each input is chosen so
// that its output passes r4.Validate, though most inputs do not.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/golden/*.json")
	require.NoError(t, err)
	n := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".changes.json") {
			continue
		}
		n++
		base := strings.TrimSuffix(in, ".json")
		t.Run(filepath.Base(base), func(t *testing.T) {
			body, err := os.ReadFile(in)
			require.NoError(t, err)
			out, changes, err := New(Options{}).Normalize(body)
			require.NoError(t, err)
			again, more, err := New(Options{}).Normalize(out)
			require.NoError(t, err)
			require.Empty(t, more, "second pass")
			require.Equal(t, string(out), string(again))
			require.Empty(t, r4.Validate(out), "the golden inputs normalise to valid resources")
			gotOut := out
			if bytes.Equal(out, body) {
				require.Empty(t, changes)
				gotOut = []byte("unchanged\n")
			}
			gotChanges, err := json.MarshalIndent(changes, "", "  ")
			require.NoError(t, err)
			gotChanges = append(gotChanges, '\n')
			if *rewrite {
				require.NoError(t, os.WriteFile(base+".out", gotOut, 0o644))
				require.NoError(t, os.WriteFile(base+".changes.json", gotChanges, 0o644))
				return
			}
			wantOut, err := os.ReadFile(base + ".out")
			require.NoError(t, err)
			require.Equal(t, string(wantOut), string(gotOut))
			wantChanges, err := os.ReadFile(base + ".changes.json")
			require.NoError(t, err)
			require.Equal(t, string(wantChanges), string(gotChanges))
		})
	}
	require.GreaterOrEqual(t, n, 3)
}
