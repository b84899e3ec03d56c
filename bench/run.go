package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/fhirlake/fhirlake/synth"
)

// Config is one benchmark run.
type Config struct {
	Patients []int    // data sizes, each a separate synth.Generate with Seed 1
	Suites   []string // names in Suites, run in this order for each size
	Warmup   int      // untimed rounds per case (default 1)
	Reps     int      // measured rounds per case (default 5)
	WireRows int      // rows of the wire suite's SELECT (default 10,000,000)
	// FHIRRequests is the reads per round of the fhir suite (default 20,000).
	FHIRRequests int
	// SoakDuration is how long the wire suite's concurrent load runs
	// (default 60 s; 5 s with Quick).
	SoakDuration time.Duration
	// Fhirlake runs the fhirlake binary (program and leading arguments),
	// used for the child-process import; required.
	Fhirlake    []string
	PostgresBin string // default DefaultPostgresBin
	Out         string // folder for RESULTS.md, results.json and plots/
	Label       string // a line at the top of RESULTS.md, e.g. that this is a quick run
	Command     string // the command line, as reported
	RepoDir     string // where to ask git for the commit; default "."
	WorkDir     string // scratch folder; default a new temporary folder, removed at the end
	Quick       bool
	ProfileDir  string    // see Env.ProfileDir
	Log         io.Writer // progress; nil discards
}

// Run generates the data, starts PostgreSQL, runs every suite at every size,
// stops PostgreSQL, and writes the report to cfg.Out. A suite error stops the
// run: a partial report is not written.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	machine, err := DescribeMachine()
	if err != nil {
		return nil, err
	}
	rep := &Report{Command: cfg.Command, Quick: cfg.Quick, Started: time.Now().UTC(), Commit: GitCommit(ctx, cfg.RepoDir),
		Machine: machine, Warmup: cfg.Warmup, Reps: cfg.Reps, Patients: cfg.Patients, Suites: cfg.Suites}
	work := cfg.WorkDir
	if work == "" {
		if work, err = os.MkdirTemp("", "fhirlake-bench-"); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(work)
	}
	pg, err := StartPostgres(ctx, cfg.PostgresBin)
	if err != nil {
		return nil, fmt.Errorf("bench: the PostgreSQL baseline cannot start: %w", err)
	}
	logf(cfg.Log, "postgres %s on 127.0.0.1:%d", pg.Version, pg.Port)
	settings := map[string]bool{pg.Describe(): true}
	results, runErr := runSizes(ctx, cfg, work, pg, settings)
	if err := errors.Join(runErr, pg.Stop()); err != nil {
		return nil, err
	}
	rep.Results = results
	rep.Duration = time.Since(rep.Started).Seconds()
	for s := range settings {
		rep.Settings = append(rep.Settings, s)
	}
	sort.Strings(rep.Settings)
	return rep, writeReport(cfg, rep)
}

func runSizes(ctx context.Context, cfg Config, work string, pg *Postgres, settings map[string]bool) ([]Result, error) {
	var results []Result
	for i, n := range cfg.Patients {
		env := &Env{Patients: n, NDJSON: filepath.Join(work, fmt.Sprintf("p%d", n), "ndjson"), Work: filepath.Join(work, fmt.Sprintf("p%d", n)),
			Postgres: pg, Warmup: cfg.Warmup, Reps: cfg.Reps, WireRows: cfg.WireRows, SoakDuration: cfg.SoakDuration, FHIRRequests: cfg.FHIRRequests, Fhirlake: cfg.Fhirlake, Log: cfg.Log, ProfileDir: cfg.ProfileDir}
		logf(cfg.Log, "generating %d patients", n)
		st, err := synth.Generate(ctx, synth.Options{Patients: n, Seed: 1, Format: synth.FormatNDJSON, Out: env.NDJSON})
		if err != nil {
			return nil, fmt.Errorf("bench: generate %d patients: %w", n, err)
		}
		env.Data = st
		for _, name := range cfg.Suites {
			suite := Suites[name]()
			if si, ok := suite.(sizeIndependent); ok && si.SizeIndependent() && i > 0 {
				continue
			}
			rs, err := suite.Run(ctx, env)
			if err != nil {
				return nil, fmt.Errorf("bench: suite %s, %d patients: %w", name, n, err)
			}
			results = append(results, rs...)
		}
		for s := range env.settings {
			settings[s] = true
		}
		if err := os.RemoveAll(env.Work); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	return results, nil
}

func (cfg *Config) defaults() error {
	if len(cfg.Patients) == 0 {
		return fmt.Errorf("bench: no data size given")
	}
	for _, n := range cfg.Patients {
		if n <= 0 {
			return fmt.Errorf("bench: patients must be > 0, got %d", n)
		}
	}
	if len(cfg.Suites) == 0 {
		cfg.Suites = SuiteNames()
	}
	for _, s := range cfg.Suites {
		if _, ok := Suites[s]; !ok {
			return fmt.Errorf("bench: unknown suite %q (known: %v)", s, SuiteNames())
		}
	}
	if len(cfg.Fhirlake) == 0 {
		return fmt.Errorf("bench: Config.Fhirlake (the fhirlake binary) is required")
	}
	if cfg.Warmup < 0 || cfg.Reps <= 0 {
		return fmt.Errorf("bench: need warmup >= 0 and repetitions > 0, got %d and %d", cfg.Warmup, cfg.Reps)
	}
	if cfg.Out == "" {
		return fmt.Errorf("bench: no output folder given")
	}
	if cfg.FHIRRequests == 0 {
		cfg.FHIRRequests = 20_000
	}
	if cfg.WireRows == 0 {
		cfg.WireRows = 10_000_000
	}
	if cfg.SoakDuration == 0 {
		cfg.SoakDuration = 60 * time.Second
		if cfg.Quick {
			cfg.SoakDuration = 5 * time.Second
		}
	}
	if cfg.ProfileDir != "" {
		if err := os.MkdirAll(cfg.ProfileDir, 0o755); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	if cfg.RepoDir == "" {
		cfg.RepoDir = "."
	}
	return nil
}

// writeReport writes results.json, the plots and RESULTS.md into cfg.Out.
func writeReport(cfg Config, rep *Report) error {
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := rep.WriteJSON(cfg.Out); err != nil {
		return err
	}
	names, err := WritePlots(filepath.Join(cfg.Out, "plots"), rep.Results)
	if err != nil {
		return err
	}
	for i, n := range names {
		names[i] = "plots/" + n
	}
	f, err := os.Create(filepath.Join(cfg.Out, "RESULTS.md"))
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := WriteMarkdown(f, rep, cfg.Label, names); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("bench: RESULTS.md: %w", err)
	}
	return nil
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
