package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testTime is a fixed event time for reproducible records.
var testTime = time.Date(2026, 11, 28, 23, 40, 0, 123456789, time.UTC)

// sampleEvent returns a distinct FHIR read event for i.
func sampleEvent(i int) Event {
	return Event{
		Kind:      KindFHIR,
		Time:      testTime.Add(time.Duration(i) * time.Second),
		Actor:     Actor{User: "alice", Roles: []string{"reader"}, Method: "token"},
		Source:    "10.0.0.7:51234",
		Protocol:  "http",
		DataStore: "ward",
		Action:    "read",
		Resources: []string{fmt.Sprintf("Observation/o%d", i)},
		Rows:      int64(i),
		Outcome:   HTTPOutcome(200, ""),
	}
}

// writeLog creates a log in a new folder with n sample events and the
// given options, and returns the folder.
func writeLog(t *testing.T, n int, opts Options) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "audit")
	l, err := Open(context.Background(), dir, opts)
	require.NoError(t, err)
	for i := 1; i <= n; i++ {
		rc, err := l.Append(context.Background(), sampleEvent(i))
		require.NoError(t, err)
		require.Equal(t, uint64(i), rc.Seq)
	}
	require.NoError(t, l.Close())
	return dir
}

// readLines returns the lines of one segment file, without newlines.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// writeLines writes lines to path, each followed by a newline.
func writeLines(t *testing.T, path string, lines []string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
}
