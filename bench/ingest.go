package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
)

// ingestSuite loads the generated NDJSON into fhirlake (raw store plus the
// default views, through the `fhirlake import` command) and into a
// PostgreSQL jsonb table with COPY.
type ingestSuite struct{}

func (ingestSuite) Name() string { return "ingest" }

const (
	metricRate   = "throughput"
	metricMBps   = "input MB/s"
	metricPeakMB = "peak RSS"
)

func (s ingestSuite) Run(ctx context.Context, env *Env) ([]Result, error) {
	env.Setting("ingest/fhirlake: `fhirlake import` as a child process into a new data folder (raw bbolt store, fsync per batch, then every default view flattened to Parquet); time is the child's wall clock, start-up included; peak RSS is the child's rusage maxrss")
	env.Setting("ingest/postgres: `COPY fhir_ingest(resource_type, doc) FROM STDIN` (pgx CopyFrom, binary) into a new table (text, jsonb) without indexes, one COPY per NDJSON file, one connection; peak RSS is the backend process's VmHWM")
	files, err := ndjsonFiles(env.NDJSON)
	if err != nil {
		return nil, err
	}
	total := float64(totalResources(env))
	mb := float64(env.Data.Bytes) / 1e6
	figures := func(elapsed time.Duration, rss float64) map[string]float64 {
		secs := elapsed.Seconds()
		return map[string]float64{metricRate: total / secs, metricMBps: mb / secs, metricPeakMB: rss}
	}
	cs := []Contender{
		{Name: Fhirlake, Run: func(ctx context.Context) (map[string]float64, error) {
			run, err := importFresh(ctx, env, filepath.Join(env.Work, "ingest-lake"))
			if err != nil {
				return nil, err
			}
			f := figures(run.Elapsed, run.PeakRSSMB)
			for _, st := range importStageNames {
				if v, ok := run.Stages[st]; ok {
					f[stageMetric(st)] = 100 * v / run.Elapsed.Seconds()
				}
			}
			return f, nil
		}},
		{Name: "postgres", Run: func(ctx context.Context) (map[string]float64, error) {
			elapsed, rss, err := pgIngest(ctx, env, files, int64(total))
			if err != nil {
				return nil, err
			}
			return figures(elapsed, rss), nil
		}},
	}
	env.Logf("ingest: %d patients, %d resources, %.1f MB: %d warm-up + %d rounds", env.Patients, int(total), mb, env.Warmup, env.Reps)
	samples, err := Alternate(ctx, env.Warmup, env.Reps, cs)
	if err != nil {
		return nil, err
	}
	order := []string{Fhirlake, "postgres"}
	var out []Result
	for _, m := range []struct {
		name, unit string
		b          Better
	}{{metricRate, "resources/s", HigherIsBetter}, {metricMBps, "MB/s", HigherIsBetter}, {metricPeakMB, "MB", LowerIsBetter}} {
		r, err := NewResult(s.Name(), "ndjson load", env.Patients, m.name, m.unit, m.b, order, samples.Metric(m.name))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	// fhirlake's own breakdown: no baseline has these stages.
	for _, st := range importStageNames {
		fl := samples.Metric(stageMetric(st))
		if len(fl[Fhirlake]) == 0 {
			continue
		}
		r, err := NewResult(s.Name(), "ndjson load", env.Patients, stageMetric(st), "% of wall time", LowerIsBetter, []string{Fhirlake}, fl)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// importStageNames are the stages `fhirlake import` times (see
// cmd/fhirlake's stageLine); read, normalize and write overlap.
var importStageNames = []string{"read", "normalize", "write", "resolve", "link", "views"}

// stageMetric names the share of an import's wall time a stage was busy.
func stageMetric(stage string) string { return "time in " + stage }

// pgIngest loads every file into a fresh table on a fresh connection and
// returns the time of the COPYs and the backend's peak RSS.
func pgIngest(ctx context.Context, env *Env, files []string, want int64) (time.Duration, float64, error) {
	conn, err := pgx.Connect(ctx, env.Postgres.ConnString("postgres"))
	if err != nil {
		return 0, 0, fmt.Errorf("bench: postgres: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP TABLE IF EXISTS fhir_ingest; CREATE TABLE fhir_ingest (resource_type text NOT NULL, doc jsonb NOT NULL)"); err != nil {
		return 0, 0, fmt.Errorf("bench: postgres: %w", err)
	}
	start := time.Now()
	var n int64
	for _, f := range files {
		c, err := copyNDJSON(ctx, conn, "fhir_ingest", []string{"resource_type", "doc"}, []any{resourceTypeOf(f)}, f)
		if err != nil {
			return 0, 0, err
		}
		n += c
	}
	elapsed := time.Since(start)
	if n != want {
		return 0, 0, fmt.Errorf("bench: postgres COPY loaded %d rows; %d resources were generated", n, want)
	}
	rss, err := BackendPeakRSS(ctx, conn)
	if err != nil {
		return 0, 0, err
	}
	return elapsed, rss, nil
}
