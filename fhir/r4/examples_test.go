package r4

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// sharedDir returns the shared data folder (FHIRLAKE_SHARED, or
// ../../../shared from this package). Under CI=true a missing folder fails
// the test; otherwise the test is skipped.
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	dir := os.Getenv("FHIRLAKE_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared")
	}
	dir = filepath.Join(dir, sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data %s is required under CI: %v", dir, err)
		}
		t.Skipf("shared data %s not found", dir)
	}
	return dir
}

// knownInvalid lists official examples that are genuinely invalid against
// the R4 definitions, with the reason (testdata/known-invalid-examples.txt).
func knownInvalid(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "known-invalid-examples.txt"))
	require.NoError(t, err)
	out := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		name, reason, ok := strings.Cut(line, "\t")
		require.True(t, ok, "line %q needs a tab and a reason", line)
		out[name] = reason
	}
	return out
}

func TestValidateOfficialExamples(t *testing.T) {
	dir := sharedDir(t, "data/fhir-r4/examples")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	skip := knownInvalid(t)
	passed := 0
	for _, f := range files {
		name := filepath.Base(f)
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		issues := Validate(body)
		if reason, ok := skip[name]; ok {
			require.NotEmpty(t, issues, "%s is listed as invalid (%s) but validates", name, reason)
			delete(skip, name)
			continue
		}
		if len(issues) > 0 {
			t.Errorf("%s: %d issues, first: %s", name, len(issues), issues[0].Diagnostics)
			continue
		}
		passed++
	}
	require.Empty(t, skip, "known-invalid entries that match no file")
	t.Logf("%d of %d official examples valid", passed, len(files))
}

func TestValidateSyntheaNDJSON(t *testing.T) {
	dir := sharedDir(t, "data/synthea-small/bulk-ndjson")
	files, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	total := 0
	for _, f := range files {
		fh, err := os.Open(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
		for line := 1; sc.Scan(); line++ {
			body := bytes.TrimSpace(sc.Bytes())
			if len(body) == 0 {
				continue
			}
			total++
			if issues := Validate(body); len(issues) > 0 {
				t.Errorf("%s:%d: %d issues, first: %s", filepath.Base(f), line, len(issues), issues[0].Diagnostics)
			}
		}
		require.NoError(t, sc.Err())
		require.NoError(t, fh.Close())
	}
	t.Logf("%d Synthea NDJSON resources validated", total)
}

// TestValidateCorruptedSynthea breaks a real Synthea Encounter in several
// ways and expects exactly the matching issue each time.
func TestValidateCorruptedSynthea(t *testing.T) {
	dir := sharedDir(t, "data/synthea-small/bulk-ndjson")
	body := firstLine(filepath.Join(dir, "Encounter.000.ndjson"))
	require.NotNil(t, body)
	tests := []struct {
		name   string
		change func(map[string]any)
		want   []string
	}{
		{"bad id", func(r map[string]any) { r["id"] = "not valid!" }, []string{"value Encounter.id"}},
		{"missing status", func(r map[string]any) { delete(r, "status") }, []string{"required Encounter.status"}},
		{"class as array", func(r map[string]any) { r["class"] = []any{r["class"]} }, []string{"structure Encounter.class"}},
		{"type as object", func(r map[string]any) { r["type"] = r["type"].([]any)[0] }, []string{"structure Encounter.type"}},
		{"period start bad", func(r map[string]any) { r["period"].(map[string]any)["start"] = "2020-02-30T00:00:00Z" }, []string{"value Encounter.period.start"}},
		{"misspelt subject", func(r map[string]any) { r["subjct"] = r["subject"]; delete(r, "subject") }, []string{"structure Encounter.subjct"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r map[string]any
			require.NoError(t, json.Unmarshal(body, &r))
			tt.change(r)
			b, err := json.Marshal(r)
			require.NoError(t, err)
			var got []string
			for _, is := range Validate(b) {
				got = append(got, is.Code+" "+strings.Join(is.Expression, ","))
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestValidateSyntheaBundles(t *testing.T) {
	dir := sharedDir(t, "data/synthea-small/bundles")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		if issues := Validate(body); len(issues) > 0 {
			t.Errorf("%s: %d issues, first: %s", filepath.Base(f), len(issues), issues[0].Diagnostics)
		}
	}
	t.Logf("%d Synthea bundles validated", len(files))
}
