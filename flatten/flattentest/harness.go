package flattentest

import (
	"context"
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
	// Report has every result, in suite order.
	Report *Report
}

// Run runs every test of the suite against impl; every failure is a test
// error.
func Run(t *testing.T, impl Impl) Summary {
	t.Helper()
	return RunOptions(t, impl, Options{})
}

// RunOptions is like Run with options. Each test becomes a subtest
// file/title. A missing suite skips t, or fails it under CI=true.
func RunOptions(t *testing.T, impl Impl, opts Options) Summary {
	t.Helper()
	dir := opts.Dir
	if dir == "" {
		dir = FindDir()
	}
	rep, err := RunDir(context.Background(), dir, impl)
	switch {
	case dir == "" || errors.Is(err, ErrNoSuite):
		msg := fmt.Sprintf("flattentest: no SQL-on-FHIR suite found (dir %q); set SOF_TESTS_DIR", dir)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	case err != nil:
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, k := range opts.KnownFailures {
		known[k] = true
	}
	sum := Summary{Total: len(rep.Results), Passed: rep.Passed(), Report: rep}
	seen := map[string]bool{}
	for i := 0; i < len(rep.Results); {
		file := rep.Results[i].File
		j := i
		for j < len(rep.Results) && rep.Results[j].File == file {
			j++
		}
		reportFile(t, rep.Results[i:j], known, seen, &sum)
		i = j
	}
	for k := range known {
		if !seen[k] {
			t.Errorf("flattentest: known failure %q is not a test of the suite", k)
		}
	}
	t.Logf("flattentest: passed %d of %d tests", sum.Passed, sum.Total)
	if opts.ReportPath != "" {
		if err := rep.WriteFile(opts.ReportPath); err != nil {
			t.Error(err)
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

// reportFile turns the results of one file into subtests, applying the
// known-failures rule: a known failure that fails is skipped, one that
// passes is an error.
func reportFile(t *testing.T, results []Result, known, seen map[string]bool, sum *Summary) {
	t.Run(suiteName(results[0].File), func(t *testing.T) {
		for _, res := range results {
			name := res.FullName()
			seen[name] = true
			if !res.Passed {
				sum.Failed = append(sum.Failed, name)
			}
			t.Run(res.Name, func(t *testing.T) {
				switch {
				case res.Passed && known[name]:
					t.Errorf("%s passes but is listed as a known failure; remove it from the list", name)
				case res.Passed:
				case known[name]:
					t.Skipf("known failure: %s", res.Error)
				default:
					t.Error(res.Error)
				}
			})
		}
	})
}

// check runs one test case and describes how it failed, or returns nil.
// A panic of impl is a failure too.
func check(impl Impl, s *suite, tc testCase) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
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
