package bench

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/fhirlake/fhirlake/synth"
)

// Suite is one workload. Run measures fhirlake and the suite's baselines on
// env's data and returns one Result per case and metric. A baseline that
// cannot run, or answers that differ between systems, are errors: a suite
// never reports a figure it did not measure.
type Suite interface {
	Name() string
	Run(ctx context.Context, env *Env) ([]Result, error)
}

// Env is what a suite gets for one data size.
type Env struct {
	Patients int
	NDJSON   string      // folder of <Type>.ndjson files written by synth.Generate
	Data     synth.Stats // what was generated: resources by type, bytes
	Work     string      // scratch folder of this data size, removed after the run
	Postgres *Postgres   // the PostgreSQL baseline, already running
	Warmup   int         // untimed rounds before the measured ones
	Reps     int         // measured rounds
	WireRows int         // rows of the wire suite's SELECT
	// SoakDuration is how long the wire suite's concurrent load runs.
	SoakDuration time.Duration
	// FHIRRequests is the number of reads per round of the fhir suite.
	FHIRRequests int
	// Fhirlake runs the fhirlake binary: the program and its leading
	// arguments, to which a subcommand and its flags are appended.
	Fhirlake []string
	Log      io.Writer // progress lines
	// ProfileDir, when set, receives CPU profiles of the fhirlake child
	// processes (import-<N>patients.pprof, from the last import at that size).
	ProfileDir string

	settings map[string]bool
}

// Setting records one line of configuration for the report (deduplicated).
func (e *Env) Setting(s string) {
	if e.settings == nil {
		e.settings = map[string]bool{}
	}
	e.settings[s] = true
}

// Logf writes one progress line.
func (e *Env) Logf(format string, args ...any) {
	if e.Log != nil {
		fmt.Fprintf(e.Log, format+"\n", args...)
	}
}

// Suites are the suites `fhirlake bench` knows, by name.
var Suites = map[string]func() Suite{
	"ingest":    func() Suite { return ingestSuite{} },
	"flatten":   func() Suite { return flattenSuite{} },
	"analytics": func() Suite { return analyticsSuite{} },
	"fhir":      func() Suite { return fhirSuite{} },
	"fhirwrite": func() Suite { return fhirWriteSuite{} },
	"search":    func() Suite { return searchSuite{} },
	"wire":      func() Suite { return wireSuite{} },
}

// sizeIndependent is implemented by suites whose workload does not depend
// on the number of patients: they run once, at the first data size, and
// report Patients 0.
type sizeIndependent interface{ SizeIndependent() bool }

// SuiteNames lists Suites in the order they run by default.
func SuiteNames() []string {
	order := map[string]int{"ingest": 0, "flatten": 1, "analytics": 2, "fhir": 3, "fhirwrite": 4, "search": 5, "wire": 6}
	names := make([]string, 0, len(Suites))
	for n := range Suites {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return order[names[i]] < order[names[j]] })
	return names
}
