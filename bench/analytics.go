package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// analyticsSuite runs the queries of Queries three ways: fhirlake over its
// Postgres wire protocol, plain DuckDB over the same Parquet files, and
// PostgreSQL over jsonb tables holding the same NDJSON. The answers must
// match, or the suite fails.
type analyticsSuite struct {
	queries []Query // nil: Queries()
}

func (analyticsSuite) Name() string { return "analytics" }

const (
	sysDuckDB   = "duckdb"
	sysPostgres = "postgres"
)

// querier runs one query and returns all its rows.
type querier func(ctx context.Context, sql string) ([][]any, error)

func (s analyticsSuite) Run(ctx context.Context, env *Env) (_ []Result, err error) {
	qs := s.queries
	if qs == nil {
		if qs, err = Queries(); err != nil {
			return nil, err
		}
	}
	env.Logf("analytics: %d patients: loading fhirlake and PostgreSQL", env.Patients)
	if _, err := importFresh(ctx, env, filepath.Join(env.Work, "analytics-lake")); err != nil {
		return nil, err
	}
	fl, err := startFhirlake(ctx, filepath.Join(env.Work, "analytics-lake"))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, fl.Close(context.WithoutCancel(ctx))) }()
	duck, err := openDuckDB(ctx, fl.cat, Datastore)
	if err != nil {
		return nil, err
	}
	defer duck.Close()
	flConn, err := pgx.Connect(ctx, fl.ConnString())
	if err != nil {
		return nil, fmt.Errorf("bench: fhirlake wire: %w", err)
	}
	defer flConn.Close(context.WithoutCancel(ctx))
	pgConn, err := pgx.Connect(ctx, env.Postgres.ConnString("postgres"))
	if err != nil {
		return nil, fmt.Errorf("bench: postgres: %w", err)
	}
	defer pgConn.Close(context.WithoutCancel(ctx))
	if err := loadPGTables(ctx, pgConn, env.NDJSON); err != nil {
		return nil, err
	}
	env.Setting("analytics/fhirlake: engine + Postgres wire server in-process (as `fhirlake serve`), one pgx connection over loopback TCP, default extended protocol (binary results)")
	env.Setting("analytics/duckdb: plain DuckDB " + duck.Version + " in-process, one view per fhirlake view over the same Parquet files (read_parquet), queried through " + DuckDBInterface)
	env.Setting("analytics/postgres: one jsonb table per resource type (fhir_patient, fhir_condition, ...) loaded by COPY, with btree expression indexes on the resource id and the subject and encounter reference ids, ANALYZEd; one pgx connection; SQL in bench/queries/pg")
	systems := []querySystem{
		{Fhirlake, pgxQuerier(flConn), func(q Query) string { return q.SQL }},
		{sysDuckDB, duck.Query, func(q Query) string { return q.SQL }},
		{sysPostgres, pgxQuerier(pgConn), func(q Query) string { return q.PGSQL }},
	}
	var out []Result
	for _, q := range qs {
		r, err := s.measure(ctx, env, q, systems)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// querySystem is one system of the analytics suite: how it runs a query
// and which SQL text of a Query it runs.
type querySystem struct {
	name string
	q    querier
	sql  func(Query) string
}

// measure runs one query on every system (fhirlake first), alternating, and
// fails when a baseline's answer differs from fhirlake's.
func (s analyticsSuite) measure(ctx context.Context, env *Env, q Query, systems []querySystem) (Result, error) {
	answers := map[string]Answer{}
	var cs []Contender
	order := make([]string, len(systems))
	for i, sys := range systems {
		order[i] = sys.name
		cs = append(cs, Contender{Name: sys.name, Run: timedQuery(sys.q, sys.sql(q), sys.name, answers)})
	}
	samples, err := Alternate(ctx, env.Warmup, env.Reps, cs)
	if err != nil {
		return Result{}, fmt.Errorf("query %s: %w", q.Name, err)
	}
	for _, sys := range order[1:] {
		if d := answers[order[0]].Diff(answers[sys]); d != "" {
			return Result{}, fmt.Errorf("bench: query %s: %s and %s disagree: %s", q.Name, order[0], sys, d)
		}
	}
	r, err := NewResult(s.Name(), q.Name, env.Patients, "latency", "ms", LowerIsBetter, order, samples.Metric("latency"))
	if err != nil {
		return Result{}, err
	}
	r.Note = fmt.Sprintf("answers match (%d rows)", len(answers[order[0]]))
	var med []string
	for _, sr := range r.Systems {
		med = append(med, fmt.Sprintf("%s %.1f ms", sr.System, sr.Stats.Median))
	}
	env.Logf("  %s: %s (%d rows, match)", q.Name, strings.Join(med, ", "), len(answers[order[0]]))
	return r, nil
}

// timedQuery measures one run of sql (until the last row is received) and
// checks that every run of a system gives the same answer.
func timedQuery(q querier, sql, system string, answers map[string]Answer) func(context.Context) (map[string]float64, error) {
	return func(ctx context.Context) (map[string]float64, error) {
		start := time.Now()
		rows, err := q(ctx, sql)
		elapsed := time.Since(start)
		if err != nil {
			return nil, err
		}
		a, err := Canonicalize(rows)
		if err != nil {
			return nil, fmt.Errorf("bench: %s: %w", system, err)
		}
		if prev, ok := answers[system]; ok {
			if d := prev.Diff(a); d != "" {
				return nil, fmt.Errorf("bench: %s gave two different answers: %s", system, d)
			}
		}
		answers[system] = a
		return map[string]float64{"latency": float64(elapsed.Microseconds()) / 1000}, nil
	}
}

// pgxQuerier runs queries on one pgx connection.
func pgxQuerier(conn *pgx.Conn) querier {
	return func(ctx context.Context, sql string) ([][]any, error) {
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out [][]any
		for rows.Next() {
			v, err := rows.Values()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
}

// loadPGTables creates one jsonb table per NDJSON file, fhir_<type in lower
// case>, fills it with COPY, indexes it (indexPGTable) and analyzes it.
func loadPGTables(ctx context.Context, conn *pgx.Conn, dir string) error {
	files, err := ndjsonFiles(dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		table := "fhir_" + strings.ToLower(resourceTypeOf(f))
		ddl := fmt.Sprintf("DROP TABLE IF EXISTS %[1]s; CREATE TABLE %[1]s (doc jsonb NOT NULL)", pgx.Identifier{table}.Sanitize())
		if _, err := conn.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("bench: postgres %s: %w", table, err)
		}
		if _, err := copyNDJSON(ctx, conn, table, []string{"doc"}, nil, f); err != nil {
			return err
		}
		if err := indexPGTable(ctx, conn, table); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, "ANALYZE "+pgx.Identifier{table}.Sanitize()); err != nil {
			return fmt.Errorf("bench: postgres %s: %w", table, err)
		}
	}
	return nil
}

// pgIndexes are the expression indexes of every jsonb table: the resource id
// and the ids its subject and encounter references point to. They are what a
// PostgreSQL user storing FHIR as jsonb creates for joins, and they give the
// planner statistics on the join keys (without them it misestimates jsonb
// expressions and picks quadratic nested loops).
var pgIndexes = []string{
	"(doc->>'id')",
	"(split_part(doc->'subject'->>'reference', '/', 2))",
	"(split_part(doc->'encounter'->>'reference', '/', 2))",
}

func indexPGTable(ctx context.Context, conn *pgx.Conn, table string) error {
	for _, expr := range pgIndexes {
		if table == "fhir_patient" && expr != pgIndexes[0] {
			continue
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE INDEX ON %s (%s)", pgx.Identifier{table}.Sanitize(), expr)); err != nil {
			return fmt.Errorf("bench: postgres index %s%s: %w", table, expr, err)
		}
	}
	return nil
}
