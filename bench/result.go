package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"
)

// Fhirlake is the system name of fhirlake itself in Results; every other
// system of a Result is a baseline.
const Fhirlake = "fhirlake"

// Result is one figure of one case at one data size: the samples of every
// system that ran it and fhirlake's ratio against each baseline.
type Result struct {
	Suite    string         `json:"suite"`
	Case     string         `json:"case"`     // e.g. "import", "q01_diabetes_htn_metformin"
	Patients int            `json:"patients"` // data size
	Metric   string         `json:"metric"`   // e.g. "resources/s", "latency"
	Unit     string         `json:"unit"`     // e.g. "resources/s", "ms", "MB"
	Better   Better         `json:"better"`
	Systems  []SystemResult `json:"systems"` // fhirlake first
	Ratios   []RatioResult  `json:"ratios"`  // one per baseline
	Note     string         `json:"note,omitempty"`
}

// SystemResult holds the samples one system produced for a Result.
type SystemResult struct {
	System  string    `json:"system"`
	Samples []float64 `json:"samples"`
	Stats   Stats     `json:"stats"`
}

// RatioResult is fhirlake's median against one baseline's (see Ratio).
type RatioResult struct {
	Baseline string  `json:"baseline"`
	Value    float64 `json:"value"`
}

// MarshalJSON writes NaN ratios (a baseline median of zero) as null.
func (r RatioResult) MarshalJSON() ([]byte, error) {
	var v any = r.Value
	if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
		v = nil
	}
	return json.Marshal(struct {
		Baseline string `json:"baseline"`
		Value    any    `json:"value"`
	}{r.Baseline, v})
}

// NewResult builds a Result from the samples of each system, computing the
// statistics and fhirlake's ratio against every other system. samples must
// hold the system named Fhirlake; order lists the systems in the order they
// are reported, fhirlake first.
func NewResult(suite, kase string, patients int, metric, unit string, b Better, order []string, samples map[string][]float64) (Result, error) {
	r := Result{Suite: suite, Case: kase, Patients: patients, Metric: metric, Unit: unit, Better: b}
	fl, ok := samples[Fhirlake]
	if !ok {
		return r, fmt.Errorf("bench: result %s/%s: no %s samples", suite, kase, Fhirlake)
	}
	flStats := Summarize(fl)
	for _, name := range order {
		s, ok := samples[name]
		if !ok {
			return r, fmt.Errorf("bench: result %s/%s: no samples from %s", suite, kase, name)
		}
		st := Summarize(s)
		r.Systems = append(r.Systems, SystemResult{System: name, Samples: s, Stats: st})
		if name != Fhirlake {
			r.Ratios = append(r.Ratios, RatioResult{Baseline: name, Value: Ratio(flStats.Median, st.Median, b)})
		}
	}
	return r, nil
}

// Report is everything one `fhirlake bench` run produced.
type Report struct {
	Command  string    `json:"command"`
	Quick    bool      `json:"quick"`
	Started  time.Time `json:"started"`
	Duration float64   `json:"duration_s"`
	Commit   string    `json:"commit"`
	Machine  Machine   `json:"machine"`
	Warmup   int       `json:"warmup"`
	Reps     int       `json:"repetitions"`
	Patients []int     `json:"patients"`
	Suites   []string  `json:"suites"`
	Settings []string  `json:"settings"` // how each system was configured
	Results  []Result  `json:"results"`
}

// WriteJSON writes the report to dir/results.json.
func (r *Report) WriteJSON(dir string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("bench: results.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("bench: results.json: %w", err)
	}
	return nil
}
