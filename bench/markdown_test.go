package bench

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -rewrite.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -rewrite to create it")
	require.Equal(t, string(want), got)
}

func testReport(t *testing.T) *Report {
	t.Helper()
	mk := func(suite, kase string, p int, metric, unit string, b Better, order []string, s map[string][]float64) Result {
		r, err := NewResult(suite, kase, p, metric, unit, b, order, s)
		require.NoError(t, err)
		return r
	}
	r := &Report{
		Command:  "fhirlake bench --quick --out bench",
		Quick:    true,
		Started:  time.Date(2026, 11, 28, 15, 4, 5, 0, time.UTC),
		Duration: 83.4,
		Commit:   "3997082abcde-dirty",
		Machine:  Machine{CPUModel: "Test CPU", CPUs: 2, MemoryMB: 7954, Kernel: "6.1.0", GoVersion: "go1.26.8", OS: "linux/amd64"},
		Warmup:   1,
		Reps:     3,
		Patients: []int{20, 200},
		Suites:   []string{"ingest", "analytics", "wire"},
		Settings: []string{"PostgreSQL 15: fsync=on"},
	}
	pg := []string{Fhirlake, "postgres"}
	three := []string{Fhirlake, "duckdb", "postgres"}
	r.Results = []Result{
		mk("ingest", "import", 20, "throughput", "resources/s", HigherIsBetter, pg, map[string][]float64{Fhirlake: {41234.5, 45000, 39000}, "postgres": {20000, 21000, 19999.2}}),
		mk("ingest", "import", 20, "peak RSS", "MB", LowerIsBetter, pg, map[string][]float64{Fhirlake: {120.5, 121, 119}, "postgres": {0, 0, 0}}),
		mk("analytics", "q01_diabetes", 200, "latency", "ms", LowerIsBetter, three, map[string][]float64{Fhirlake: {12.25, 13, 11}, "duckdb": {6, 6.5, 7}, "postgres": {0.5, 0.75, 0.25}}),
		mk("wire", "select 10 rows, text results", 0, "throughput", "rows/s", HigherIsBetter, pg, map[string][]float64{Fhirlake: {3e6, 3.1e6, 2.9e6}, "postgres": {4e6, 4e6, 4e6}}),
	}
	r.Results[2].Note = "answers match (3 rows)"
	return r
}

func TestWriteMarkdown(t *testing.T) {
	var b strings.Builder
	require.NoError(t, WriteMarkdown(&b, testReport(t), "Quick run: a smoke test.", []string{"plots/ingest_import_throughput.svg"}))
	golden(t, "results.golden.md", b.String())
}

func TestFormatFigure(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{1234567.8, "1,234,568"}, {-4321, "-4,321"}, {1000, "1,000"}, {999.6, "1000"}, {123.4, "123"},
		{12.34, "12.3"}, {1.234, "1.23"}, {0.01234, "0.0123"}, {0, "0"}, {math.NaN(), "–"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, FormatFigure(tc.in), "%v", tc.in)
	}
}
