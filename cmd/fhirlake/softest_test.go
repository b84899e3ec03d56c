package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fhirlake/fhirlake/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestSofTest runs `fhirlake sof-test` on the real suite and on small
// broken ones, checking output, report file and exit class.
func TestSofTest(t *testing.T) {
	suite := testutil.SharedDir(t, "sof-tests")
	tmp := t.TempDir()
	report := filepath.Join(tmp, "report.json")
	failing := filepath.Join(tmp, "failing")
	require.NoError(t, os.Mkdir(failing, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(failing, "mine.json"), []byte(`{"title":"t","resources":[{"resourceType":"Patient","id":"p1"}],
		"tests":[{"title":"right","view":{"resource":"Patient","select":[{"column":[{"name":"id","path":"id"}]}]},"expect":[{"id":"p1"}]},
		{"title":"wrong row","view":{"resource":"Patient","select":[{"column":[{"name":"id","path":"id"}]}]},"expect":[{"id":"p2"}]}]}`), 0o644))
	empty := filepath.Join(tmp, "empty")
	require.NoError(t, os.Mkdir(empty, 0o755))

	tests := []struct {
		name      string
		args      []string
		wantOut   []string
		wantErr   string
		wantUsage bool
	}{
		{name: "suite with report", args: []string{suite, "--report", report}, wantOut: []string{"passed 134 of 134\n"}},
		{name: "verbose", args: []string{"--verbose", suite}, wantOut: []string{"PASS basic/basic attribute\n", "passed 134 of 134\n"}},
		{name: "a failing test", args: []string{failing}, wantOut: []string{"FAIL mine/wrong row\n", "passed 1 of 2\n"}, wantErr: "sof-test: 1 of 2 tests failed"},
		{name: "a failing test, verbose", args: []string{failing, "--verbose"}, wantOut: []string{"PASS mine/right\n", "FAIL mine/wrong row\n    rows differ"}, wantErr: "1 of 2 tests failed"},
		{name: "missing folder", args: []string{filepath.Join(tmp, "nope")}, wantErr: "no such file or directory"},
		{name: "a file, not a folder", args: []string{filepath.Join(failing, "mine.json")}, wantErr: "is not a folder"},
		{name: "no test files", args: []string{empty}, wantErr: "no SQL-on-FHIR test files"},
		{name: "no folder given", args: nil, wantErr: "exactly one DIR", wantUsage: true},
		{name: "unknown flag", args: []string{"--nope", suite}, wantErr: "flag provided but not defined", wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			err := run(context.Background(), append([]string{"sof-test"}, tt.args...), &out, &errw)
			if tt.wantErr == "" {
				require.NoError(t, err, errw.String())
			} else {
				require.ErrorContains(t, err, tt.wantErr)
				var ue *usageError
				require.Equal(t, tt.wantUsage, errors.As(err, &ue), "usage error (exit 2) or not (exit 1): %v", err)
			}
			for _, w := range tt.wantOut {
				require.Contains(t, out.String(), w)
			}
		})
	}
	requireReportOrder(t, suite, report)
}

// requireReportOrder checks that the report lists every test of the suite
// under its file, in file order.
func requireReportOrder(t *testing.T, suite, report string) {
	t.Helper()
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	var rep map[string]struct {
		Tests []struct {
			Name   string
			Result struct{ Passed bool }
		}
	}
	require.NoError(t, json.Unmarshal(data, &rep))
	files, err := filepath.Glob(filepath.Join(suite, "*.json"))
	require.NoError(t, err)
	require.Len(t, rep, len(files))
	total := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var s struct{ Tests []struct{ Title string } }
		require.NoError(t, json.Unmarshal(raw, &s))
		got := rep[filepath.Base(f)].Tests
		require.Len(t, got, len(s.Tests), f)
		for i, tc := range s.Tests {
			require.Equal(t, tc.Title, got[i].Name, "%s test %d", f, i)
			require.True(t, got[i].Result.Passed, "%s: %s", f, tc.Title)
		}
		total += len(got)
	}
	require.Equal(t, 134, total)
}
