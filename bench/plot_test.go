package bench

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWritePlots(t *testing.T) {
	r := testReport(t)
	more, err := NewResult("ingest", "import", 2000, "throughput", "resources/s", HigherIsBetter,
		[]string{Fhirlake, "postgres"}, map[string][]float64{Fhirlake: {50000}, "postgres": {30000}})
	require.NoError(t, err)
	dir := t.TempDir()
	names, err := WritePlots(dir, append(r.Results, more))
	require.NoError(t, err)
	require.Equal(t, []string{"analytics_q01_diabetes_latency.svg", "ingest_import_peak_rss.svg", "ingest_import_throughput.svg"}, names)
	b, err := os.ReadFile(filepath.Join(dir, "ingest_import_throughput.svg"))
	require.NoError(t, err)
	require.Contains(t, string(b), "<svg")
	require.Contains(t, string(b), "postgres")
}

func TestPlotName(t *testing.T) {
	require.Equal(t, "ingest_import_resources_s.svg", plotName("ingest", "import", "resources/s"))
	require.Equal(t, "analytics_q01_peak_rss.svg", plotName("analytics", "Q01", "peak  RSS"))
}
