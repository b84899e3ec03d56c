package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Datastore is the name of the data store the harness imports into.
const Datastore = "bench"

// importRun is what one `fhirlake import` child process did.
type importRun struct {
	Elapsed   time.Duration
	Resources int
	Rejected  int
	PeakRSSMB float64 // the child's maximum resident set size (rusage)
	// Stages is the time each stage was busy, in seconds, as the child
	// printed it ("stages (s): read 1.20, normalize …").
	Stages map[string]float64
}

var (
	importSummary = regexp.MustCompile(`resources: (\d+), rejected: (\d+)`)
	importStages  = regexp.MustCompile(`(?m)^stages \(s\): (.*) \(`)
	importStage   = regexp.MustCompile(`([a-z]+) ([0-9.]+)`)
)

// parseStages reads the stages line of an import's output; nil when there
// is none.
func parseStages(out []byte) map[string]float64 {
	m := importStages.FindSubmatch(out)
	if m == nil {
		return nil
	}
	stages := map[string]float64{}
	for _, kv := range importStage.FindAllSubmatch(m[1], -1) {
		if v, err := strconv.ParseFloat(string(kv[2]), 64); err == nil {
			stages[string(kv[1])] = v
		}
	}
	return stages
}

// profileEnv is the variable that makes the fhirlake binary write a CPU
// profile (cmd/fhirlake/profile.go).
const profileEnv = "FHIRLAKE_CPUPROFILE"

// runImport runs `fhirlake import --data dataDir --datastore bench ndjson`
// as a child process, so that its peak memory is its own. The time is the
// child's wall-clock time, start-up included. With profile set, the child
// writes its CPU profile there; otherwise a FHIRLAKE_CPUPROFILE inherited
// from the bench process is removed, so the two never write one file.
func runImport(ctx context.Context, fhirlake []string, dataDir, ndjson, profile string) (importRun, error) {
	args := append(append([]string{}, fhirlake[1:]...), "import", "--data", dataDir, "--datastore", Datastore, ndjson)
	cmd := exec.CommandContext(ctx, fhirlake[0], args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, profileEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if profile != "" {
		cmd.Env = append(cmd.Env, profileEnv+"="+profile)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	run := importRun{Elapsed: time.Since(start)}
	if err != nil {
		return run, fmt.Errorf("bench: fhirlake import: %w\n%s%s", err, stdout.Bytes(), stderr.Bytes())
	}
	m := importSummary.FindSubmatch(stdout.Bytes())
	if m == nil {
		return run, fmt.Errorf("bench: fhirlake import: no summary line in its output:\n%s", stdout.Bytes())
	}
	run.Resources, _ = strconv.Atoi(string(m[1]))
	run.Rejected, _ = strconv.Atoi(string(m[2]))
	run.Stages = parseStages(stdout.Bytes())
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		run.PeakRSSMB = float64(ru.Maxrss) / 1024 // kB on Linux
	}
	return run, nil
}

// importFresh imports into a new data folder at dir (removed first) and
// checks that every generated resource was loaded.
func importFresh(ctx context.Context, env *Env, dir string) (importRun, error) {
	if err := os.RemoveAll(dir); err != nil {
		return importRun{}, fmt.Errorf("bench: %w", err)
	}
	profile := ""
	if env.ProfileDir != "" {
		profile = filepath.Join(env.ProfileDir, fmt.Sprintf("import-%dpatients.pprof", env.Patients))
	}
	run, err := runImport(ctx, env.Fhirlake, dir, env.NDJSON, profile)
	if err != nil {
		return run, err
	}
	if want := totalResources(env); run.Resources != want || run.Rejected != 0 {
		return run, fmt.Errorf("bench: fhirlake import loaded %d resources and rejected %d; %d were generated", run.Resources, run.Rejected, want)
	}
	return run, nil
}

func totalResources(env *Env) int {
	n := 0
	for _, c := range env.Data.Resources {
		n += c
	}
	return n
}
