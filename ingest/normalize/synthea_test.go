package normalize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/fhir/r4"
	"github.com/fhirlake/fhirlake/internal/testutil"
	"github.com/stretchr/testify/require"
)

var indexRE = regexp.MustCompile(`\[\d+\]`)

// TestSynthea normalises the whole sample. Every resource must normalise
// without error, unchanged ones must come back as the same bytes, changed
// ones must be valid JSON that a second pass leaves alone, and the summary
// of the changes (count by rule, path without indices, and an example) must
// match testdata/synthea-changes.txt (-rewrite updates it).
func TestSynthea(t *testing.T) {
	n := New(Options{})
	counts := map[string]int{}
	example := map[string]string{}
	changed := 0
	resources := testutil.SyntheaResources(t)
	for _, body := range resources {
		out, changes, err := n.Normalize(body)
		require.NoError(t, err)
		if len(changes) == 0 {
			require.True(t, bytes.Equal(body, out))
			continue
		}
		changed++
		require.True(t, json.Valid(out))
		again, more, err := n.Normalize(out)
		require.NoError(t, err)
		require.Empty(t, more)
		require.True(t, bytes.Equal(out, again))
		require.LessOrEqual(t, len(r4.Validate(out)), len(r4.Validate(body)))
		for _, c := range changes {
			k := fmt.Sprintf("%s\t%s", c.Rule, indexRE.ReplaceAllString(c.Path, ""))
			counts[k]++
			if _, ok := example[k]; !ok {
				example[k] = fmt.Sprintf("%q -> %q", c.From, c.To)
			}
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "# %d resources, %d changed\n", len(resources), changed)
	for _, k := range keys {
		fmt.Fprintf(&b, "%d\t%s\t%s\n", counts[k], k, example[k])
	}
	const golden = "testdata/synthea-changes.txt"
	if *rewrite {
		require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
		return
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), b.String())
}
