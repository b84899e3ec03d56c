package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fhirlake/fhirlake/bench"
)

// runBench implements `fhirlake bench [--patients N[,N...]] [--suite NAME[,NAME...]] [--quick] [--out DIR]`.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", stderr)
	patients := fs.String("patients", "", "data sizes in patients, comma-separated (default 100,1000,10000; 100,400 with --quick)")
	suites := fs.String("suite", strings.Join(bench.SuiteNames(), ","), "suites to run, comma-separated")
	quick := fs.Bool("quick", false, "CI smoke run: small data, 1 warm-up and 3 measured rounds, under 2 minutes on 2 cores")
	out := fs.String("out", "bench-results", "folder for RESULTS.md, results.json and plots/")
	warmup := fs.Int("warmup", 1, "untimed rounds before the measured ones")
	reps := fs.Int("reps", 0, "measured rounds per case (default 5; 3 with --quick)")
	fhirRequests := fs.Int("fhir-requests", 0, "reads per round of the fhir suite (default 20000; 2000 with --quick)")
	wireRows := fs.Int("wire-rows", 0, "rows of the wire suite's SELECT (default 10000000; 1000000 with --quick)")
	pgBin := fs.String("postgres-bin", bench.DefaultPostgresBin, "folder of the PostgreSQL 15 server binaries (initdb, postgres)")
	profile := fs.String("profile", "", "folder for CPU profiles of the fhirlake import child processes (go tool pprof); FHIRLAKE_CPUPROFILE=FILE profiles the bench process itself")
	self := fs.String("fhirlake", "", "fhirlake binary used for the child-process imports (default: this program)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirlake bench [--patients N[,N...]] [--suite NAME[,NAME...]] [--quick] [--out DIR]\n\nRuns fhirlake and its baselines (PostgreSQL 15, DuckDB) on the same generated data and writes RESULTS.md, results.json and SVG plots to DIR.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("bench: unexpected argument %q", fs.Arg(0))
	}
	sizes, err := parseSizes(*patients, *quick)
	if err != nil {
		return err
	}
	cfg := bench.Config{Patients: sizes, Suites: splitList(*suites), Warmup: *warmup, Reps: *reps, PostgresBin: *pgBin,
		Out: *out, Quick: *quick, ProfileDir: *profile, Command: "fhirlake bench " + strings.Join(args, " "), Log: stderr}
	cfg.WireRows, cfg.FHIRRequests = *wireRows, *fhirRequests
	if cfg.FHIRRequests == 0 && *quick {
		cfg.FHIRRequests = 2000
	}
	if cfg.WireRows == 0 && *quick {
		cfg.WireRows = 1_000_000
	}
	if cfg.Reps == 0 {
		cfg.Reps = 5
		if *quick {
			cfg.Reps = 3
		}
	}
	cfg.Label = "Full run."
	if *quick {
		cfg.Label = "Quick run (`--quick`): small data and few rounds, the CI smoke test of the harness. Not figures to quote."
	}
	bin := *self
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	cfg.Fhirlake = []string{bin}
	cfg.RepoDir = filepath.Dir(bin)
	if wd, err := os.Getwd(); err == nil {
		cfg.RepoDir = wd
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d figures in %.0f s: %s\n", len(rep.Results), rep.Duration, filepath.Join(*out, "RESULTS.md"))
	return nil
}

// parseSizes reads --patients; empty means the default sizes.
func parseSizes(s string, quick bool) ([]int, error) {
	if s == "" {
		if quick {
			return []int{100, 400}, nil
		}
		return []int{100, 1000, 10000}, nil
	}
	var out []int
	for _, f := range splitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, usagef("bench: --patients: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
