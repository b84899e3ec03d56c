package flattentest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// Impl is an implementation under test.
type Impl interface {
	// Run evaluates the ViewDefinition view (JSON) over resources (JSON,
	// of mixed types) and returns the output column names in order and
	// the rows, whose values must marshal to JSON. It returns an error
	// when the view is invalid or evaluation fails.
	Run(view []byte, resources [][]byte) (columns []string, rows [][]any, err error)
}

// ImplFunc adapts a function to [Impl].
type ImplFunc func(view []byte, resources [][]byte) ([]string, [][]any, error)

// Run implements Impl.
func (f ImplFunc) Run(view []byte, resources [][]byte) ([]string, [][]any, error) {
	return f(view, resources)
}

// Options configure [RunOptions].
type Options struct {
	// Dir is the suite folder; empty means [FindDir].
	Dir string
	// KnownFailures lists tests (file/title) expected to fail. Such a test
	// is skipped when it fails and is an error when it passes, so the list
	// stays exact.
	KnownFailures []string
	// ReportPath, when set, receives a results file in the format of the
	// suite's schema/test-report.schema.json (the public leaderboard's),
	// listing the tests in file order.
	ReportPath string
}

// Summary counts the results of a run.
type Summary struct {
	Total, Passed int
	// Failed lists the names (file/title) of the failing tests in order.
	Failed []string

	report map[string]*fileReport
}

// fileReport is one file's entry of a leaderboard results file.
type fileReport struct {
	Tests []testReport `json:"tests"`
}

type testReport struct {
	Name   string `json:"name"`
	Result struct {
		Passed bool `json:"passed"`
	} `json:"result"`
}

// Run runs every test of the suite against impl; every failure is a test
// error.
func Run(t *testing.T, impl Impl) Summary {
	t.Helper()
	return RunOptions(t, impl, Options{})
}

// RunOptions is like Run with options.
func RunOptions(t *testing.T, impl Impl, opts Options) Summary {
	t.Helper()
	dir := opts.Dir
	if dir == "" {
		dir = FindDir()
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if dir == "" || err != nil || len(files) == 0 {
		msg := fmt.Sprintf("flattentest: no SQL-on-FHIR suite found (dir %q); set SOF_TESTS_DIR", dir)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	known := map[string]bool{}
	for _, k := range opts.KnownFailures {
		known[k] = true
	}
	sum := Summary{report: map[string]*fileReport{}}
	seen := map[string]bool{}
	for _, f := range files {
		suite, err := loadSuite(f)
		if err != nil {
			t.Fatal(err)
		}
		runSuite(t, impl, suite, known, seen, &sum)
	}
	for k := range known {
		if !seen[k] {
			t.Errorf("flattentest: known failure %q is not a test of the suite", k)
		}
	}
	t.Logf("flattentest: passed %d of %d tests", sum.Passed, sum.Total)
	if opts.ReportPath != "" {
		data, err := json.MarshalIndent(sum.report, "", "  ")
		if err == nil {
			err = os.WriteFile(opts.ReportPath, data, 0o644)
		}
		if err != nil {
			t.Errorf("flattentest: write report: %v", err)
		}
	}
	return sum
}

// FindDir returns $SOF_TESTS_DIR, or the first ../shared/sof-tests found
// walking up from the working directory, or "".
func FindDir() string {
	if d := os.Getenv("SOF_TESTS_DIR"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		cand := filepath.Join(d, "..", "shared", "sof-tests")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func runSuite(t *testing.T, impl Impl, s *suite, known, seen map[string]bool, sum *Summary) {
	fr := &fileReport{}
	sum.report[s.name+".json"] = fr
	t.Run(s.name, func(t *testing.T) {
		for _, tc := range s.Tests {
			name := s.name + "/" + tc.Title
			seen[name] = true
			sum.Total++
			t.Run(tc.Title, func(t *testing.T) {
				err := check(impl, s, tc)
				var tr testReport
				tr.Name, tr.Result.Passed = tc.Title, err == nil
				fr.Tests = append(fr.Tests, tr)
				switch {
				case err == nil && known[name]:
					sum.Passed++
					t.Errorf("%s passes but is listed as a known failure; remove it from the list", name)
				case err == nil:
					sum.Passed++
				case known[name]:
					sum.Failed = append(sum.Failed, name)
					t.Skipf("known failure: %v", err)
				default:
					sum.Failed = append(sum.Failed, name)
					t.Error(err)
				}
			})
		}
	})
}

// check runs one test case and describes how it failed, or returns nil.
func check(impl Impl, s *suite, tc testCase) error {
	cols, rows, err := impl.Run(tc.View, s.resources)
	if tc.ExpectError {
		if err == nil {
			return errors.New("expected an error, got none")
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("unexpected error: %w", err)
	}
	if tc.ExpectColumns != nil && !slices.Equal(cols, tc.ExpectColumns) {
		return fmt.Errorf("columns %q, want %q", cols, tc.ExpectColumns)
	}
	got, err := canonicalRows(cols, rows)
	if err != nil {
		return err
	}
	want, err := canonicalExpected(tc.Expect)
	if err != nil {
		return err
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("rows differ\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
	return nil
}
