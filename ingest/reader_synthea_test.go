package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/internal/testutil"
)

// syntheaDir is ../shared/data/synthea-small (required under CI=true).
func syntheaDir(t testing.TB) string {
	t.Helper()
	return testutil.SharedDir(t, "data/synthea-small")
}

// readManifest parses bundles/manifest.tsv: file name -> type -> count.
func readManifest(t *testing.T, path string) map[string]map[string]int {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Equal(t, "file\tbundle_type\tpatient_id\tresources\tbytes\tcounts_by_type", lines[0])
	out := map[string]map[string]int{}
	for _, line := range lines[1:] {
		f := strings.Split(line, "\t")
		require.Len(t, f, 6, line)
		counts, total := map[string]int{}, 0
		for _, kv := range strings.Split(f[5], ";") {
			k, v, ok := strings.Cut(kv, "=")
			require.True(t, ok, kv)
			n, err := strconv.Atoi(v)
			require.NoError(t, err)
			counts[k], total = n, total+n
		}
		want, err := strconv.Atoi(f[3])
		require.NoError(t, err)
		require.Equal(t, want, total, "manifest row %s", f[0])
		out[f[0]] = counts
	}
	return out
}

// readmeCounts parses the "- Counts: Type 1,234; ..." line of the README
// section that starts with heading.
func readmeCounts(t *testing.T, path, heading string) map[string]int {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(data), heading)
	require.True(t, ok, "README has no %q section", heading)
	m := regexp.MustCompile(`(?m)^- Counts: (.*(?:\n  .*)*)`).FindStringSubmatch(section)
	require.NotNil(t, m, "no Counts line under %q", heading)
	out := map[string]int{}
	for _, p := range regexp.MustCompile(`([A-Z][A-Za-z]+) ([\d,]+)`).FindAllStringSubmatch(m[1], -1) {
		n, err := strconv.Atoi(strings.ReplaceAll(p[2], ",", ""))
		require.NoError(t, err)
		out[p[1]] = n
	}
	return out
}

func TestSyntheaBundles(t *testing.T) {
	root := filepath.Join(syntheaDir(t), "bundles")
	manifest := readManifest(t, filepath.Join(root, "manifest.tsv"))
	files, skipped, err := Walk([]string{root})
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(root, "manifest.tsv")}, skipped)
	require.Len(t, files, len(manifest))
	total := map[string]int{}
	for _, f := range files {
		res := readAll(t, f)
		require.Empty(t, res.errs, f)
		got, ids := map[string]int{}, map[string]bool{}
		for _, r := range res.recs {
			got[r.Type]++
			total[r.Type]++
			ids[r.Type+"/"+r.ID] = true
		}
		require.Equal(t, manifest[filepath.Base(f)], got, f)
		for _, r := range res.recs {
			require.NotContains(t, string(r.Body), `"reference":"urn:`, "%s:%d", f, r.Line)
			// Every rewritten reference points to a record of the same Bundle.
			for _, m := range localRef.FindAllSubmatch(r.Body, -1) {
				require.True(t, ids[string(m[1])], "%s:%d: dangling reference %s", f, r.Line, m[1])
			}
		}
	}
	require.Equal(t, readmeCounts(t, filepath.Join(root, "..", "README.md"), "## bundles/"), total)
}

// localRef matches references of the form Type/uuid, as rewritten from
// urn:uuid: fullUrls.
var localRef = regexp.MustCompile(`"reference":"([A-Za-z]+/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"`)

func TestSyntheaBulkNDJSON(t *testing.T) {
	root := filepath.Join(syntheaDir(t), "bulk-ndjson")
	files, skipped, err := Walk([]string{root})
	require.NoError(t, err)
	// The export log is skipped inside a folder; named directly it is read.
	require.Equal(t, []string{filepath.Join(root, "bulk-export-log.jsonl")}, skipped)
	files = append(files, skipped...)
	total := map[string]int{}
	conditional := []byte(`"reference":"Practitioner?identifier=`)
	var condIn, condOut int
	for _, f := range files {
		res := readAll(t, f)
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		if filepath.Base(f) == "bulk-export-log.jsonl" {
			// The export log is JSON lines but not FHIR: every line is rejected.
			require.Empty(t, res.recs)
			require.Len(t, res.errs, bytes.Count(raw, []byte("\n")))
			for _, e := range res.errs {
				require.Equal(t, "missing resourceType", e.Reason)
			}
			continue
		}
		require.Empty(t, res.errs, f)
		require.Equal(t, bytes.Count(raw, []byte("\n")), len(res.recs), f)
		condIn += bytes.Count(raw, conditional)
		for _, r := range res.recs {
			total[r.Type]++
			condOut += bytes.Count(r.Body, conditional)
		}
	}
	require.Equal(t, readmeCounts(t, filepath.Join(root, "..", "README.md"), "## bulk-ndjson/"), total)
	require.Positive(t, condIn)
	require.Equal(t, condIn, condOut, "conditional references must be kept")
}
