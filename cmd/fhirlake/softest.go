package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fhirlake/fhirlake/flatten"
	"github.com/fhirlake/fhirlake/flatten/flattentest"
)

// sofTestUsage is the synopsis of the sof-test command.
const sofTestUsage = `Usage: fhirlake sof-test [--report FILE] [--verbose] DIR

sof-test runs the SQL-on-FHIR v2 conformance suite in DIR (its *.json
test files, as in the tests folder of github.com/FHIR/sql-on-fhir-v2)
through fhirlake's view engine. It prints the failing tests and
"passed N of M", and exits with status 1 when a test fails. --report
writes the results in the suite's test-report format (the public
leaderboard's), files and tests in suite order.`

// runSofTest implements `fhirlake sof-test`.
func runSofTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sof-test", stderr)
	report := fs.String("report", "", "write the test-report JSON to `FILE`")
	verbose := fs.Bool("verbose", false, "list every test, and why each failure failed")
	fs.Usage = func() {
		fmt.Fprintln(stderr, sofTestUsage)
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("sof-test: give exactly one DIR (the suite folder), got %d arguments", len(pos))
	}
	dir := pos[0]
	if st, err := os.Stat(dir); err != nil {
		return fmt.Errorf("sof-test: %w", err)
	} else if !st.IsDir() {
		return fmt.Errorf("sof-test: %s is not a folder", dir)
	}
	rep, err := flattentest.RunDir(ctx, dir, flattentest.ImplFunc(flatten.RunView))
	if err != nil {
		return fmt.Errorf("sof-test: %w", err)
	}
	if *report != "" {
		if err := rep.WriteFile(*report); err != nil {
			return fmt.Errorf("sof-test: %w", err)
		}
	}
	printSofResults(stdout, rep, *verbose)
	if failed := len(rep.Failed()); failed > 0 {
		return fmt.Errorf("sof-test: %d of %d tests failed", failed, len(rep.Results))
	}
	return nil
}

// printSofResults lists the failing tests (every test with verbose, and
// the reasons) and the count of those that passed.
func printSofResults(w io.Writer, rep *flattentest.Report, verbose bool) {
	for _, r := range rep.Results {
		switch {
		case r.Passed && verbose:
			fmt.Fprintf(w, "PASS %s\n", r.FullName())
		case !r.Passed && verbose:
			fmt.Fprintf(w, "FAIL %s\n    %s\n", r.FullName(), strings.ReplaceAll(r.Error, "\n", "\n    "))
		case !r.Passed:
			fmt.Fprintf(w, "FAIL %s\n", r.FullName())
		}
	}
	fmt.Fprintf(w, "passed %d of %d\n", rep.Passed(), len(rep.Results))
}
