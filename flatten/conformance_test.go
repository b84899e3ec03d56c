package flatten

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/flatten/flattentest"
	"github.com/stretchr/testify/require"
)

// sofImpl runs the conformance suite through RunView (ParseView, Compile
// and Evaluate).
var sofImpl = flattentest.ImplFunc(RunView)

// knownFailures reads testdata/sof-known-failures.txt: one file/title a
// line, # comments allowed.
func knownFailures(t *testing.T) []string {
	data, err := os.ReadFile("testdata/sof-known-failures.txt")
	require.NoError(t, err)
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// TestConformance runs the SQL-on-FHIR v2 suite: $SOF_TESTS_DIR, else
// ../shared/sof-tests (see flattentest.FindDir); it is skipped when there
// is none, and fails under CI=true. Set SOF_TEST_REPORT=path to also write
// a leaderboard results file.
func TestConformance(t *testing.T) {
	sum := flattentest.RunOptions(t, sofImpl, flattentest.Options{
		KnownFailures: knownFailures(t),
		ReportPath:    os.Getenv("SOF_TEST_REPORT"),
	})
	t.Logf("SQL-on-FHIR conformance: %d/%d passed", sum.Passed, sum.Total)
}
