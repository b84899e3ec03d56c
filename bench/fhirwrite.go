package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// fhirWriteSuite measures FHIR writes on a running `fhirlake serve` (a
// child process, durability on: every acknowledged write is fsync'd):
// creates and 50-entry transaction Bundles against PostgreSQL inserting
// the same resources into a jsonb table with synchronous commits, and the
// freshness of the SQL views while the server sustains a write rate: how
// long after a write is acknowledged it shows in the observation table,
// polled through the Postgres protocol.
type fhirWriteSuite struct{}

func (fhirWriteSuite) Name() string { return "fhirwrite" }

// Write load parameters.
const (
	writeClients     = 8
	txClients        = 4
	txEntries        = 50
	freshnessRate    = 500 // writes/s, half creates, half updates
	freshnessCode    = "fhirlake-freshness-probe"
	freshnessPollGap = 10 * time.Millisecond
)

func (s fhirWriteSuite) Run(ctx context.Context, env *Env) (_ []Result, err error) {
	if env.Postgres == nil {
		return nil, errors.New("bench: fhirwrite: needs the PostgreSQL baseline")
	}
	env.Logf("fhirwrite: %d patients: loading fhirlake", env.Patients)
	dir := filepath.Join(env.Work, "fhirwrite-lake")
	if _, err := importFresh(ctx, env, dir); err != nil {
		return nil, err
	}
	patient, err := firstPatientID(env.NDJSON)
	if err != nil {
		return nil, err
	}
	srv, err := startServeChild(ctx, env.Fhirlake, dir)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, srv.Close()) }()
	pg, err := pgxpool.New(ctx, env.Postgres.ConnString("postgres")+"&pool_max_conns=16")
	if err != nil {
		return nil, fmt.Errorf("bench: fhirwrite: %w", err)
	}
	defer pg.Close()
	if _, err := pg.Exec(ctx, `DROP TABLE IF EXISTS fhir_writes; CREATE TABLE fhir_writes (id uuid PRIMARY KEY, type text NOT NULL, version int NOT NULL, body jsonb NOT NULL)`); err != nil {
		return nil, fmt.Errorf("bench: fhirwrite: %w", err)
	}
	env.Setting("fhirwrite: fhirlake = `fhirlake serve` child process (raw store fsync'd per commit, group commit, views refreshed after writes); postgres = INSERT of the same JSON into a jsonb table with a uuid primary key, synchronous_commit as configured, pgx pool over loopback")
	// A quarter of the fhir suite's reads: 5,000 creates a round in a
	// full run, 500 with --quick.
	creates := max(env.FHIRRequests/4, txEntries)
	base := srv.URL + "/fhir/" + Datastore
	obs := func(i int) []byte {
		return fmt.Appendf(nil, `{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":"2026-11-28T10:00:00Z","valueQuantity":{"value":%d,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`, patient, 60+i%60)
	}
	var out []Result
	cases := []struct {
		kase, metric, unit, note string
		cs                       []Contender
	}{
		{
			kase: fmt.Sprintf("create, %d clients", writeClients), metric: "throughput", unit: "requests/s",
			note: "POST /Observation, 201 each; postgres: one INSERT per resource",
			cs: []Contender{
				{Name: Fhirlake, Run: httpCreates(base, creates, writeClients, obs)},
				{Name: sysPostgres, Run: pgCreates(pg, creates, writeClients, obs)},
			},
		},
		{
			kase: fmt.Sprintf("transaction of %d entries, %d clients", txEntries, txClients), metric: "throughput", unit: "Bundles/s",
			note: "POST of a transaction Bundle (urn:uuid fullUrls), 200 with 50 201s; postgres: BEGIN, 50 INSERTs, COMMIT",
			cs: []Contender{
				{Name: Fhirlake, Run: httpTransactions(base, creates/txEntries*4, txClients, obs)},
				{Name: sysPostgres, Run: pgTransactions(pg, creates/txEntries*4, txClients, obs)},
			},
		},
	}
	for _, c := range cases {
		samples, err := Alternate(ctx, env.Warmup, env.Reps, c.cs)
		if err != nil {
			return nil, fmt.Errorf("fhirwrite %s: %w", c.kase, err)
		}
		r, err := NewResult(s.Name(), c.kase, env.Patients, c.metric, c.unit, HigherIsBetter, []string{Fhirlake, sysPostgres}, samples.Metric(c.metric))
		if err != nil {
			return nil, err
		}
		r.Note = c.note
		out = append(out, r)
		env.Logf("  %s: fhirlake %.0f %s, postgres %.0f", c.kase, Summarize(samples[Fhirlake][c.metric]).Median, c.unit, Summarize(samples[sysPostgres][c.metric]).Median)
	}

	dur := max(env.SoakDuration/2, 5*time.Second)
	env.Logf("  freshness: %d writes/s for %s", freshnessRate, dur)
	fr, err := measureFreshness(ctx, base, srv.ConnString(), patient, dur)
	if err != nil {
		return nil, err
	}
	for _, m := range []struct {
		metric, unit string
		v            float64
		b            Better
	}{
		{"freshness p50", "ms", fr.p50, LowerIsBetter},
		{"freshness p95", "ms", fr.p95, LowerIsBetter},
		{"freshness p99", "ms", fr.p99, LowerIsBetter},
		{"sustained writes", "writes/s", fr.rate, HigherIsBetter},
	} {
		r, err := NewResult(s.Name(), fmt.Sprintf("freshness at %d writes/s", freshnessRate), env.Patients, m.metric, m.unit, m.b, []string{Fhirlake}, map[string][]float64{Fhirlake: {m.v}})
		if err != nil {
			return nil, err
		}
		r.Note = fmt.Sprintf("%d writes over %s (half creates, half updates of Observations), each polled through the Postgres protocol until visible in table observation; no row duplicated: %v", fr.writes, dur, fr.noDuplicates)
		out = append(out, r)
	}
	env.Logf("  freshness: p50 %.0f ms, p95 %.0f ms, p99 %.0f ms at %.0f writes/s", fr.p50, fr.p95, fr.p99, fr.rate)
	return out, nil
}

// firstPatientID returns the id of the first generated Patient.
func firstPatientID(dir string) (string, error) {
	f, err := os.Open(filepath.Join(dir, "Patient.ndjson"))
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	if !sc.Scan() {
		return "", fmt.Errorf("bench: no Patient in %s", dir)
	}
	var p struct{ ID string }
	if err := json.Unmarshal(sc.Bytes(), &p); err != nil || p.ID == "" {
		return "", fmt.Errorf("bench: first Patient of %s has no id", dir)
	}
	return p.ID, nil
}

// serveChild is `fhirlake serve` running as a child process.
type serveChild struct {
	URL    string // http://host:port
	pgAddr string
	cmd    *exec.Cmd
	done   chan error
}

func startServeChild(ctx context.Context, fhirlake []string, dataDir string) (*serveChild, error) {
	args := append(append([]string{}, fhirlake[1:]...), "serve", "--data", dataDir, "--pg", "127.0.0.1:0", "--http", "127.0.0.1:0", "--log-level", "warn")
	cmd := exec.Command(fhirlake[0], args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("bench: serve: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: serve: %w", err)
	}
	s := &serveChild{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "fhir:     listening on "); ok {
				s.URL = strings.TrimSuffix(a, "/fhir")
			}
			if a, ok := strings.CutPrefix(line, "postgres: listening on "); ok {
				s.pgAddr = a
			}
			if line == "ready" {
				ready <- nil
				_, _ = io.Copy(io.Discard, stdout)
				break
			}
		}
		ready <- errors.New("serve stopped before ready")
		s.done <- cmd.Wait()
	}()
	select {
	case err := <-ready:
		if err != nil {
			<-s.done
			return nil, fmt.Errorf("bench: serve: %w\n%s", err, stderr.Bytes())
		}
	case <-time.After(5 * time.Minute):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("bench: serve: not ready after 5 minutes\n%s", stderr.Bytes())
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		return nil, ctx.Err()
	}
	return s, nil
}

// ConnString is a pgx connection string for the bench data store.
func (s *serveChild) ConnString() string {
	return fmt.Sprintf("postgres://fhirlake@%s/%s?sslmode=disable", s.pgAddr, Datastore)
}

// Close stops the server with SIGINT and waits for it.
func (s *serveChild) Close() error {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-s.done:
		if err != nil {
			return fmt.Errorf("bench: serve: %w", err)
		}
		return nil
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
		return errors.New("bench: serve did not stop within 60 s; killed")
	}
}

// parallel runs n jobs on clients goroutines and returns the elapsed time.
func parallel(n, clients int, job func(i int) error) (time.Duration, error) {
	var next atomic.Int64
	errs := make([]error, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || errs[c] != nil {
					return
				}
				errs[c] = job(i)
			}
		})
	}
	wg.Wait()
	return time.Since(start), errors.Join(errs...)
}

func newHTTPClient(clients int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}, Timeout: 60 * time.Second}
}

// post sends body and checks the status.
func post(hc *http.Client, url string, body []byte, want int) ([]byte, error) {
	resp, err := hc.Post(url, "application/fhir+json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("POST %s: %d, want %d: %.300s", url, resp.StatusCode, want, b)
	}
	return b, nil
}

func httpCreates(base string, n, clients int, body func(int) []byte) func(context.Context) (map[string]float64, error) {
	return func(ctx context.Context) (map[string]float64, error) {
		hc := newHTTPClient(clients)
		defer hc.CloseIdleConnections()
		elapsed, err := parallel(n, clients, func(i int) error {
			_, err := post(hc, base+"/Observation", body(i), http.StatusCreated)
			return err
		})
		if err != nil {
			return nil, err
		}
		return map[string]float64{"throughput": float64(n) / elapsed.Seconds()}, nil
	}
}

func pgCreates(pg *pgxpool.Pool, n, clients int, body func(int) []byte) func(context.Context) (map[string]float64, error) {
	return func(ctx context.Context) (map[string]float64, error) {
		elapsed, err := parallel(n, clients, func(i int) error {
			_, err := pg.Exec(ctx, `INSERT INTO fhir_writes (id, type, version, body) VALUES (gen_random_uuid(), 'Observation', 1, $1)`, string(body(i)))
			return err
		})
		if err != nil {
			return nil, err
		}
		return map[string]float64{"throughput": float64(n) / elapsed.Seconds()}, nil
	}
}

// txBundle is a transaction of txEntries Observations with urn:uuid
// fullUrls.
func txBundle(k int, body func(int) []byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceType":"Bundle","type":"transaction","entry":[`)
	for e := range txEntries {
		if e > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"fullUrl":"urn:uuid:00000000-0000-4000-8000-%012d","resource":%s,"request":{"method":"POST","url":"Observation"}}`, k*txEntries+e, body(k*txEntries+e))
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func httpTransactions(base string, n, clients int, body func(int) []byte) func(context.Context) (map[string]float64, error) {
	return func(ctx context.Context) (map[string]float64, error) {
		hc := newHTTPClient(clients)
		defer hc.CloseIdleConnections()
		elapsed, err := parallel(n, clients, func(k int) error {
			resp, err := post(hc, base, txBundle(k, body), http.StatusOK)
			if err != nil {
				return err
			}
			if c := bytes.Count(resp, []byte(`"status":"201 Created"`)); c != txEntries {
				return fmt.Errorf("transaction: %d entries created, want %d", c, txEntries)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return map[string]float64{"throughput": float64(n) / elapsed.Seconds()}, nil
	}
}

func pgTransactions(pg *pgxpool.Pool, n, clients int, body func(int) []byte) func(context.Context) (map[string]float64, error) {
	return func(ctx context.Context) (map[string]float64, error) {
		elapsed, err := parallel(n, clients, func(k int) error {
			return pgx.BeginFunc(ctx, pg, func(tx pgx.Tx) error {
				batch := &pgx.Batch{}
				for e := range txEntries {
					batch.Queue(`INSERT INTO fhir_writes (id, type, version, body) VALUES (gen_random_uuid(), 'Observation', 1, $1)`, string(body(k*txEntries+e)))
				}
				return tx.SendBatch(ctx, batch).Close()
			})
		})
		if err != nil {
			return nil, err
		}
		return map[string]float64{"throughput": float64(n) / elapsed.Seconds()}, nil
	}
}

// freshness is what measureFreshness found.
type freshness struct {
	p50, p95, p99 float64 // ms from acknowledgement to visible in SQL
	rate          float64 // writes/s achieved
	writes        int
	noDuplicates  bool
}

// measureFreshness writes Observations at freshnessRate for dur, half new
// ones and half updates of earlier ones (each updated once), each carrying
// a unique sequence number as its value; a poller reads the values visible
// in the observation table through the Postgres protocol. A write's
// freshness is the time from its acknowledgement to the first poll that
// sees its number, or, for a creation, the number of the update that
// replaced it (a write acknowledged after the poll that saw it counts as
// 0).
func measureFreshness(ctx context.Context, base, connString, patient string, dur time.Duration) (freshness, error) {
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return freshness{}, fmt.Errorf("bench: freshness: %w", err)
	}
	defer conn.Close(ctx)
	var (
		mu      sync.Mutex
		acked   = map[int64]time.Time{}
		seen    = map[int64]time.Time{}
		created []string
		// nextUpdate is the index in created of the next to update.
		nextUpdate int
		// createdAt is the value each created resource was written
		// with; createOf maps an update's value to it.
		createdAt = map[string]int64{}
		createOf  = map[int64]int64{}
		stop      = make(chan struct{})
		pollErr   error
		pollWG    sync.WaitGroup
	)
	pollWG.Go(func() {
		lo := int64(0) // every write below lo has been seen
		for {
			select {
			case <-stop:
				return
			default:
			}
			// A query sees the tables as they were when it started.
			polled := time.Now()
			rows, err := conn.Query(ctx, `SELECT value::bigint FROM observation WHERE loinc_code = $1 AND value >= $2`, freshnessCode, lo)
			if err != nil {
				pollErr = err
				return
			}
			vals, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				pollErr = err
				return
			}
			now := polled
			mu.Lock()
			for _, v := range vals {
				if _, ok := seen[v]; !ok {
					seen[v] = now
				}
				// An update's value stands for the creation it replaced,
				// which a refresh may have taken in the same batch.
				if c, ok := createOf[v]; ok {
					if _, ok := seen[c]; !ok {
						seen[c] = now
					}
				}
			}
			for {
				if _, ok := seen[lo]; !ok {
					break
				}
				lo++
			}
			mu.Unlock()
			time.Sleep(freshnessPollGap)
		}
	})
	hc := newHTTPClient(32)
	defer hc.CloseIdleConnections()
	body := func(n int64, id string) []byte {
		idPart := ""
		if id != "" {
			idPart = `"id":"` + id + `",`
		}
		return fmt.Appendf(nil, `{"resourceType":"Observation",%s"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"%s"}]},"subject":{"reference":"Patient/%s"},"valueQuantity":{"value":%d}}`, idPart, freshnessCode, patient, n)
	}
	var seq atomic.Int64
	seq.Store(-1)
	var writeErr error
	var errMu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	total := int(dur.Seconds() * freshnessRate)
	var lastAck atomic.Int64
	for i := 0; i < total; i++ {
		// Send on an absolute schedule, so a late start catches up
		// rather than lowering the rate.
		time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / freshnessRate)))
		n := seq.Add(1)
		// Each created resource is updated at most once, so no two
		// writes in flight touch one resource (a reordered pair would
		// leave the older value current).
		mu.Lock()
		update := i%2 == 1 && nextUpdate < len(created)
		var id string
		if update {
			id = created[nextUpdate]
			nextUpdate++
			createOf[n] = createdAt[id]
		}
		mu.Unlock()
		wg.Go(func() {
			var err error
			if update {
				var req *http.Request
				req, err = http.NewRequestWithContext(ctx, http.MethodPut, base+"/Observation/"+id, bytes.NewReader(body(n, id)))
				if err == nil {
					req.Header.Set("Content-Type", "application/fhir+json")
					var resp *http.Response
					if resp, err = hc.Do(req); err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							err = fmt.Errorf("PUT: %d", resp.StatusCode)
						}
					}
				}
			} else {
				var b []byte
				if b, err = post(hc, base+"/Observation", body(n, ""), http.StatusCreated); err == nil {
					var o struct{ ID string }
					_ = json.Unmarshal(b, &o)
					mu.Lock()
					created = append(created, o.ID)
					createdAt[o.ID] = n
					mu.Unlock()
				}
			}
			now := time.Now()
			if err != nil {
				errMu.Lock()
				writeErr = errors.Join(writeErr, err)
				errMu.Unlock()
				return
			}
			mu.Lock()
			acked[n] = now
			mu.Unlock()
			for {
				l := lastAck.Load()
				if now.UnixNano() <= l || lastAck.CompareAndSwap(l, now.UnixNano()) {
					break
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Unix(0, lastAck.Load()).Sub(start)
	if writeErr != nil {
		close(stop)
		pollWG.Wait()
		return freshness{}, fmt.Errorf("bench: freshness writes: %w", writeErr)
	}
	last := seq.Load()
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		_, done := seen[last]
		mu.Unlock()
		if done || pollErr != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	pollWG.Wait()
	if pollErr != nil {
		return freshness{}, fmt.Errorf("bench: freshness poll: %w", pollErr)
	}
	lat := make([]time.Duration, 0, len(acked))
	for n, a := range acked {
		s, ok := seen[n]
		if !ok {
			return freshness{}, fmt.Errorf("bench: freshness: write %d never became visible in SQL", n)
		}
		lat = append(lat, max(s.Sub(a), 0))
	}
	var dups int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT id FROM observation WHERE loinc_code = '`+freshnessCode+`' GROUP BY id HAVING count(*) > 1) d`).Scan(&dups); err != nil {
		return freshness{}, fmt.Errorf("bench: freshness: %w", err)
	}
	var rows int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM observation WHERE loinc_code = '`+freshnessCode+`'`).Scan(&rows); err != nil {
		return freshness{}, fmt.Errorf("bench: freshness: %w", err)
	}
	if dups != 0 || rows != len(created) {
		return freshness{}, fmt.Errorf("bench: freshness: %d probe rows for %d created resources, %d ids duplicated", rows, len(created), dups)
	}
	ms := func(q float64) float64 { return float64(percentile(lat, q).Microseconds()) / 1000 }
	return freshness{p50: ms(0.5), p95: ms(0.95), p99: ms(0.99), rate: float64(len(acked)) / elapsed.Seconds(),
		writes: len(acked), noDuplicates: dups == 0}, nil
}
