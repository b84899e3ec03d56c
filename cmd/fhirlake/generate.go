package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/fhirlake/fhirlake/synth"
)

// runGenerate implements `fhirlake generate --patients N [--seed S] --out DIR [--format ndjson|bundle] [--duplicates F]`.
func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: fhirlake generate --patients N --out DIR [--seed S] [--format ndjson|bundle] [--duplicates F]")
		fmt.Fprintln(fs.Output(), "\nWrites deterministic synthetic FHIR R4 data (same seed, same bytes).")
		fs.PrintDefaults()
	}
	patients := fs.Int("patients", 0, "number of patients to generate (required, > 0)")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives byte-identical output")
	out := fs.String("out", "", "output directory, created if missing (required)")
	format := fs.String("format", synth.FormatNDJSON, "output format: ndjson (one <Type>.ndjson per type) or bundle (one transaction Bundle per patient)")
	duplicates := fs.Float64("duplicates", 0, "fraction of patients (0 to 1) that also get a perturbed duplicate Patient from another source; the true pairs go to "+synth.DuplicatesFile)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("generate: %w", err)
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("generate: unexpected argument %q", fs.Arg(0))
	case *patients <= 0:
		return fmt.Errorf("generate: --patients is required and must be > 0 (got %d)", *patients)
	case *out == "":
		return errors.New("generate: --out is required")
	case *format != synth.FormatNDJSON && *format != synth.FormatBundle:
		return fmt.Errorf("generate: --format must be %s or %s (got %q)", synth.FormatNDJSON, synth.FormatBundle, *format)
	case !(*duplicates >= 0 && *duplicates <= 1):
		return fmt.Errorf("generate: --duplicates must be between 0 and 1 (got %g)", *duplicates)
	}

	start := time.Now()
	st, err := synth.Generate(ctx, synth.Options{Patients: *patients, Seed: *seed, Format: *format, Out: *out, Duplicates: *duplicates})
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	printSummary(stdout, st, *out, *format, time.Since(start))
	if len(st.Duplicates) > 0 {
		fmt.Fprintf(stdout, "%d duplicate patients; true pairs in %s\n", len(st.Duplicates), filepath.Join(*out, synth.DuplicatesFile))
	}
	return nil
}

// printSummary writes the resource counts by type (sorted), the size and
// the elapsed time of a generation run.
func printSummary(w io.Writer, st synth.Stats, out, format string, elapsed time.Duration) {
	types := make([]string, 0, len(st.Resources))
	total := 0
	for t, n := range st.Resources {
		types = append(types, t)
		total += n
	}
	slices.Sort(types)
	fmt.Fprintf(w, "generated %d patients (%s) in %s\n", st.Patients, format, out)
	for _, t := range types {
		fmt.Fprintf(w, "  %-20s %10d\n", t, st.Resources[t])
	}
	fmt.Fprintf(w, "  %-20s %10d\n", "total", total)
	sec := elapsed.Seconds()
	fmt.Fprintf(w, "%d files, %.1f MB, %.2f s (%.0f resources/s)\n",
		st.Files, float64(st.Bytes)/1e6, sec, float64(total)/max(sec, 1e-9))
}
