package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// binDir holds the fhirlake binary the tests build once (see TestMain).
var binDir string

var fhirlakeBin struct {
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	flag.Parse()
	var err error
	if binDir, err = os.MkdirTemp("", "fhirlake-bench-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// buildFhirlake builds the fhirlake binary for the child-process imports,
// once per test run.
func buildFhirlake(t *testing.T) string {
	t.Helper()
	fhirlakeBin.once.Do(func() {
		bin := filepath.Join(binDir, "fhirlake")
		out, err := exec.Command("go", "build", "-o", bin, "github.com/fhirlake/fhirlake/cmd/fhirlake").CombinedOutput()
		if err != nil {
			fhirlakeBin.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
		fhirlakeBin.path = bin
	})
	require.NoError(t, fhirlakeBin.err)
	return fhirlakeBin.path
}

// TestSmoke is a --quick-like run on 20 and 30 patients with every suite: it
// starts PostgreSQL, measures, checks the answers and writes the report.
// Under CI=true a missing PostgreSQL fails it instead of skipping.
func TestSmoke(t *testing.T) {
	requirePostgres(t)
	bin := buildFhirlake(t)
	out := t.TempDir()
	var log bytes.Buffer
	rep, err := Run(context.Background(), Config{
		Patients: []int{20, 30}, Warmup: 1, Reps: 2, WireRows: 100_000, FHIRRequests: 300, SoakDuration: 2 * time.Second, Fhirlake: []string{bin}, Out: out, Quick: true,
		Label: "smoke test", Command: "go test ./bench -run TestSmoke", RepoDir: "..", Log: &log,
	})
	require.NoError(t, err, "log:\n%s", log.String())
	require.Equal(t, []string{"ingest", "flatten", "analytics", "fhir", "fhirwrite", "search", "wire"}, rep.Suites)
	require.Len(t, rep.Results, 2*(3+6+4+12+4+6+6)+4, "ingest (and its six stage shares), flatten, analytics, fhir, fhirwrite and search at each size, wire once (binary, text, point latency, soak)")
	for _, r := range rep.Results {
		require.NotEmpty(t, r.Systems, r.Case)
		samples := 2
		if strings.Contains(r.Case, "connections") || strings.HasPrefix(r.Case, "freshness") {
			samples = 1 // the soak and the freshness run are one long run each
		}
		for _, s := range r.Systems {
			require.Len(t, s.Samples, samples, "%s/%s/%s", r.Case, r.Metric, s.System)
			if strings.HasPrefix(r.Metric, "time in ") {
				// A stage's share may be nothing (no reference to resolve).
				require.GreaterOrEqual(t, s.Stats.Min, 0.0, "%s/%s/%s", r.Case, r.Metric, s.System)
				continue
			}
			require.Greater(t, s.Stats.Min, 0.0, "%s/%s/%s measured nothing", r.Case, r.Metric, s.System)
		}
		require.Len(t, r.Ratios, len(r.Systems)-1)
	}

	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	require.Len(t, back.Results, len(rep.Results))

	md, err := os.ReadFile(filepath.Join(out, "RESULTS.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "| 20 | ndjson load | throughput (resources/s, higher better) |")
	require.Contains(t, string(md), "| 20 | q03_readmissions_30d | latency (ms, lower better) |")
	require.Contains(t, string(md), "PostgreSQL 15.")
	plots, err := filepath.Glob(filepath.Join(out, "plots", "*.svg"))
	require.NoError(t, err)
	require.Len(t, plots, 3+6+4+12+4+6+6, "one scale curve per size-dependent case (ingest: three figures and six stage shares)")
	require.Contains(t, string(md), "| – | select 100000 rows, binary results | throughput (rows/s, higher better) |")
}
