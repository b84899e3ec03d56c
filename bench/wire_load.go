package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pointQuery is the wire suite's small query: one row by key, with a
// parameter, as an application looks a record up.
const pointQuery = "SELECT id, x, label FROM " + wireTable + " WHERE id = $1"

// latencyQueries is the number of point queries a latency round runs.
const latencyQueries = 300

// latency measures the p50 and p99 of point queries through fhirlake's
// wire protocol, PostgreSQL (with an index on id) and DuckDB in-process on
// the same Parquet file: fhirlake's p50 less DuckDB's is the per-query
// overhead of the wire server.
func (s wireSuite) latency(ctx context.Context, env *Env, flConn, pgConn *pgx.Conn, duck *sql.DB) (Result, error) {
	n := env.WireRows
	keys := make([]int64, latencyQueries)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range keys {
		keys[i] = rng.Int64N(int64(n))
	}
	viaPgx := func(conn *pgx.Conn) func(context.Context) (map[string]float64, error) {
		return timedPoints(keys, func(ctx context.Context, k int64) (int64, error) {
			var id int64
			var x float64
			var label string
			err := conn.QueryRow(ctx, pointQuery, k).Scan(&id, &x, &label)
			return id, err
		})
	}
	duckQ := "SELECT id, x, label FROM " + wireTable + " WHERE id = ?"
	cs := []Contender{
		{Name: Fhirlake, Run: viaPgx(flConn)},
		{Name: sysDuckDB, Run: timedPoints(keys, func(ctx context.Context, k int64) (int64, error) {
			var id int64
			var x float64
			var label string
			err := duck.QueryRowContext(ctx, duckQ, k).Scan(&id, &x, &label)
			return id, err
		})},
		{Name: sysPostgres, Run: viaPgx(pgConn)},
	}
	samples, err := Alternate(ctx, env.Warmup, env.Reps, cs)
	if err != nil {
		return Result{}, fmt.Errorf("wire latency: %w", err)
	}
	r, err := NewResult(s.Name(), fmt.Sprintf("point query by key (%d rows), p50", n), 0, "latency", "ms", LowerIsBetter,
		[]string{Fhirlake, sysDuckDB, sysPostgres}, samples.Metric("p50"))
	if err != nil {
		return Result{}, err
	}
	p99 := Summarize(samples.Metric("p99")[Fhirlake]).Median
	overhead := r.Systems[0].Stats.Median - r.Systems[1].Stats.Median
	r.Note = fmt.Sprintf("wire overhead over in-process DuckDB: %.3f ms at p50; fhirlake p99 %.3f ms; same rows", overhead, p99)
	env.Logf("  point query p50: fhirlake %.3f ms, duckdb %.3f ms, postgres %.3f ms (overhead %.3f ms)",
		r.Systems[0].Stats.Median, r.Systems[1].Stats.Median, r.Systems[2].Stats.Median, overhead)
	return r, nil
}

// timedPoints runs query for every key, checks that each returns its key,
// and reports the p50 and p99 latency in ms.
func timedPoints(keys []int64, query func(context.Context, int64) (int64, error)) func(context.Context) (map[string]float64, error) {
	return func(ctx context.Context) (map[string]float64, error) {
		ds := make([]time.Duration, len(keys))
		for i, k := range keys {
			start := time.Now()
			id, err := query(ctx, k)
			ds[i] = time.Since(start)
			if err != nil {
				return nil, err
			}
			if id != k {
				return nil, fmt.Errorf("bench: point query for %d returned %d", k, id)
			}
		}
		return map[string]float64{"p50": ms(percentile(ds, 0.50)), "p99": ms(percentile(ds, 0.99))}, nil
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// soakConnections is the number of concurrent clients of the soak case.
const soakConnections = 64

// soak runs soakConnections clients with a mix of point queries, range
// aggregates and small ordered scans for env.SoakDuration against
// fhirlake and then PostgreSQL, and reports the queries per second. Any
// query error fails the suite. For fhirlake, which runs in this process,
// it also checks that goroutines and heap return to where they were once
// the clients are gone: nothing leaks.
func (s wireSuite) soak(ctx context.Context, env *Env, flConnString, pgConnString string) (Result, error) {
	n := int64(env.WireRows)
	var leakNote string
	run := func(connString string, inProcess bool) func(context.Context) (map[string]float64, error) {
		return func(ctx context.Context) (map[string]float64, error) {
			var g0 int
			var h0 uint64
			if inProcess {
				g0, h0 = settledRuntime()
			}
			qps, err := soakLoad(ctx, connString, n, env.SoakDuration)
			if err != nil {
				return nil, err
			}
			if inProcess {
				g1, h1 := settledRuntime()
				leakNote = fmt.Sprintf("goroutines %d before, %d after; heap in use %.1f MB before, %.1f MB after", g0, g1, float64(h0)/1e6, float64(h1)/1e6)
				if g1 > g0+8 {
					return nil, fmt.Errorf("bench: soak: goroutines grew from %d to %d", g0, g1)
				}
			}
			return map[string]float64{"throughput": qps}, nil
		}
	}
	cs := []Contender{{Name: Fhirlake, Run: run(flConnString, true)}, {Name: sysPostgres, Run: run(pgConnString, false)}}
	samples, err := Alternate(ctx, 0, 1, cs)
	if err != nil {
		return Result{}, fmt.Errorf("wire soak: %w", err)
	}
	r, err := NewResult(s.Name(), fmt.Sprintf("%d connections, mixed queries, %s", soakConnections, env.SoakDuration), 0,
		"throughput", "queries/s", HigherIsBetter, []string{Fhirlake, sysPostgres}, samples.Metric("throughput"))
	if err != nil {
		return Result{}, err
	}
	r.Note = "no errors; " + leakNote
	env.Logf("  soak: fhirlake %.0f queries/s, postgres %.0f queries/s; %s", r.Systems[0].Stats.Median, r.Systems[1].Stats.Median, leakNote)
	return r, nil
}

// settledRuntime returns the goroutine count and heap in use after the
// connections of a finished load have had time to close.
func settledRuntime() (int, uint64) {
	var ms runtime.MemStats
	for range 20 {
		runtime.GC()
		time.Sleep(50 * time.Millisecond)
	}
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapInuse
}

// soakLoad runs the mixed load and returns the queries per second.
func soakLoad(ctx context.Context, connString string, n int64, d time.Duration) (float64, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return 0, err
	}
	cfg.MaxConns, cfg.MinConns = soakConnections, soakConnections
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var done atomic.Int64
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	start := time.Now()
	for w := range soakConnections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for ctx.Err() == nil {
				err := soakQuery(ctx, pool, rng, n)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(errs) > 0 {
		return 0, fmt.Errorf("bench: soak: %d clients failed, first: %w", len(errs), errors.Join(errs[0]))
	}
	return float64(done.Load()) / elapsed.Seconds(), nil
}

// soakQuery runs one query of the mix and checks its answer.
func soakQuery(ctx context.Context, pool *pgxpool.Pool, rng *rand.Rand, n int64) error {
	k := rng.Int64N(max(n-1000, 1))
	switch rng.IntN(3) {
	case 0:
		var id int64
		var x float64
		var label string
		if err := pool.QueryRow(ctx, pointQuery, k).Scan(&id, &x, &label); err != nil {
			return err
		}
		if id != k {
			return fmt.Errorf("point query for %d returned %d", k, id)
		}
	case 1:
		var count int64
		var sum float64
		if err := pool.QueryRow(ctx, "SELECT count(*), sum(x) FROM "+wireTable+" WHERE id BETWEEN $1 AND $2", k, k+999).Scan(&count, &sum); err != nil {
			return err
		}
		if want := min(1000, n-k); count != want {
			return fmt.Errorf("range count at %d: %d, want %d", k, count, want)
		}
	default:
		rows, err := pool.Query(ctx, "SELECT id, label FROM "+wireTable+" WHERE id >= $1 ORDER BY id LIMIT 100", k)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			var label string
			if err := rows.Scan(&id, &label); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 || ids[0] != k || !sort.SliceIsSorted(ids, func(i, j int) bool { return ids[i] < ids[j] }) {
			return fmt.Errorf("ordered scan at %d: got %d rows starting %v", k, len(ids), ids[:min(len(ids), 1)])
		}
	}
	return nil
}
