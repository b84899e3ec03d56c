package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/fhirlake/fhirlake/catalog"
)

// searchSuite measures FHIR search on a running `fhirlake serve` (HTTP,
// JSON Bundles, resources read from the raw store) against DuckDB
// in-process running equivalent hand-written SQL over the same search index
// Parquet files (ids only): the planner's overhead plus the FHIR layer.
type searchSuite struct{}

func (searchSuite) Name() string { return "search" }

// searchSamples is the number of different requests of each case a round
// runs.
const searchSamples = 20

// searchCase is one kind of search: a FHIR request and the equivalent SQL
// per sample, and how to compare their answers.
type searchCase struct {
	name string
	fhir []string // path and query after /fhir/bench/
	sql  []string
	args [][]any
	// count compares Bundle.total with the SQL's single count; otherwise
	// the number of entries with the number of rows.
	count bool
	// scan reports the resources counted per second (a count over the
	// whole type).
	scan bool
}

func (s searchSuite) Run(ctx context.Context, env *Env) (_ []Result, err error) {
	env.Logf("search: %d patients: loading fhirlake", env.Patients)
	dir := filepath.Join(env.Work, "search-lake")
	if _, err := importFresh(ctx, env, dir); err != nil {
		return nil, err
	}
	cat, err := catalog.Open(dir, catalog.Options{Command: "fhirlake bench"})
	if err != nil {
		return nil, fmt.Errorf("bench: search: %w", err)
	}
	duck, err := openDuckDB(ctx, cat, Datastore)
	cat.Close()
	if err != nil {
		return nil, err
	}
	defer duck.Close()
	srv, err := startServeChild(ctx, env.Fhirlake, dir)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, srv.Close()) }()
	cases, err := searchCases(ctx, duck)
	if err != nil {
		return nil, err
	}
	env.Setting("search: fhirlake = `fhirlake serve` child process, GET /fhir/bench/… over keep-alive HTTP, searchset Bundles with the resources; duckdb = the same index Parquet files in-process, hand-written SQL returning ids (or a count) through database/sql")
	hc := newHTTPClient(1)
	defer hc.CloseIdleConnections()
	base := srv.URL + "/fhir/" + Datastore + "/"
	var out []Result
	for _, c := range cases {
		fl := make([]int, len(c.fhir))
		dk := make([]int, len(c.sql))
		cs := []Contender{
			{Name: Fhirlake, Run: func(ctx context.Context) (map[string]float64, error) {
				lat := make([]time.Duration, len(c.fhir))
				for i, q := range c.fhir {
					t0 := time.Now()
					n, err := fhirSearch(ctx, hc, base+q, c.count)
					if err != nil {
						return nil, err
					}
					lat[i], fl[i] = time.Since(t0), n
				}
				return searchFigures(lat, fl, c.scan), nil
			}},
			{Name: sysDuckDB, Run: func(ctx context.Context) (map[string]float64, error) {
				lat := make([]time.Duration, len(c.sql))
				for i, q := range c.sql {
					t0 := time.Now()
					n, err := duckCount(ctx, duck, q, c.args[i], c.count)
					if err != nil {
						return nil, err
					}
					lat[i], dk[i] = time.Since(t0), n
				}
				return searchFigures(lat, dk, c.scan), nil
			}},
		}
		samples, err := Alternate(ctx, env.Warmup, env.Reps, cs)
		if err != nil {
			return nil, fmt.Errorf("search %s: %w", c.name, err)
		}
		for i := range fl {
			if fl[i] != dk[i] {
				return nil, fmt.Errorf("bench: search %s: request %s found %d, the SQL %d", c.name, c.fhir[i], fl[i], dk[i])
			}
		}
		metrics := []struct {
			name, unit string
			b          Better
		}{{"p50 latency", "ms", LowerIsBetter}}
		if c.scan {
			metrics = append(metrics, struct {
				name, unit string
				b          Better
			}{"scan rate", "resources/s", HigherIsBetter})
		}
		for _, m := range metrics {
			r, err := NewResult(s.Name(), c.name, env.Patients, m.name, m.unit, m.b, []string{Fhirlake, sysDuckDB}, samples.Metric(m.name))
			if err != nil {
				return nil, err
			}
			r.Note = fmt.Sprintf("%d requests a round, same matches", len(c.fhir))
			out = append(out, r)
		}
		env.Logf("  %s: fhirlake %.2f ms, duckdb %.2f ms (p50)", c.name, Summarize(samples[Fhirlake]["p50 latency"]).Median, Summarize(samples[sysDuckDB]["p50 latency"]).Median)
	}
	return out, nil
}

// searchFigures are the median latency and, for whole-type counts, the
// resources counted per second.
func searchFigures(lat []time.Duration, n []int, scan bool) map[string]float64 {
	p50 := percentile(lat, 0.5)
	m := map[string]float64{"p50 latency": float64(p50.Microseconds()) / 1000}
	if scan {
		var total int
		var took time.Duration
		for i := range n {
			total += n[i]
			took += lat[i]
		}
		m["scan rate"] = float64(total) / took.Seconds()
	}
	return m
}

// searchCases draws the samples from the index tables: patients with
// their most frequent LOINC codes and family names, and months.
func searchCases(ctx context.Context, duck *duckBaseline) ([]searchCase, error) {
	rows, err := duck.db.QueryContext(ctx, `
		SELECT p.ref_id, c.code, any_value(n.str)
		FROM search_observation p
		JOIN search_observation c ON c.id = p.id AND c.param = 'code' AND c.sys = 'http://loinc.org'
		JOIN search_patient n ON n.id = p.ref_id AND n.param = 'family'
		WHERE p.param = 'patient'
		GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT ?`, searchSamples)
	if err != nil {
		return nil, fmt.Errorf("bench: search samples: %w", err)
	}
	defer rows.Close()
	type sample struct{ patient, code, family string }
	var ss []sample
	for rows.Next() {
		var s sample
		if err := rows.Scan(&s.patient, &s.code, &s.family); err != nil {
			return nil, err
		}
		ss = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, errors.New("bench: search: no observation with a patient and a LOINC code")
	}
	token := searchCase{name: "token: Observation code of one patient"}
	dates := searchCase{name: "date range over all Observations", count: true}
	chain := searchCase{name: "chain: subject:Patient.name", count: true}
	revinc := searchCase{name: "_revinclude of a Patient's Encounters"}
	count := searchCase{name: "_summary=count over all Observations", count: true, scan: true}
	for i, s := range ss {
		token.fhir = append(token.fhir, "Observation?patient="+s.patient+"&code="+url.QueryEscape("http://loinc.org|"+s.code)+"&_count=1000")
		token.sql = append(token.sql, `SELECT id FROM search_observation WHERE param = 'patient' AND ref_id = ? INTERSECT SELECT id FROM search_observation WHERE param = 'code' AND sys = 'http://loinc.org' AND code = ?`)
		token.args = append(token.args, []any{s.patient, s.code})

		month := time.Date(2000+i, time.Month(1+i%12), 1, 0, 0, 0, 0, time.UTC)
		end := month.AddDate(0, 1, 0)
		dates.fhir = append(dates.fhir, "Observation?date=ge"+month.Format("2006-01")+"&date=lt"+end.Format("2006-01")+"&_summary=count")
		dates.sql = append(dates.sql, `SELECT count(*) FROM (SELECT id FROM search_observation WHERE param = 'date' AND t_hi >= ? INTERSECT SELECT id FROM search_observation WHERE param = 'date' AND t_lo < ?)`)
		dates.args = append(dates.args, []any{month, end})

		chain.fhir = append(chain.fhir, "Observation?subject:Patient.name="+url.QueryEscape(s.family)+"&_summary=count")
		chain.sql = append(chain.sql, `SELECT count(*) FROM (SELECT id FROM search_observation WHERE param = 'subject' AND ref_type = 'Patient' AND ref_id IN (SELECT id FROM search_patient WHERE param = 'name' AND starts_with(str, ?)))`)
		chain.args = append(chain.args, []any{s.family})

		revinc.fhir = append(revinc.fhir, "Patient?_id="+s.patient+"&_revinclude=Encounter:subject")
		revinc.sql = append(revinc.sql, `SELECT ? UNION ALL SELECT DISTINCT id FROM search_encounter WHERE param = 'subject' AND ref_type = 'Patient' AND ref_id = ?`)
		revinc.args = append(revinc.args, []any{s.patient, s.patient})

		if i < 3 {
			count.fhir = append(count.fhir, "Observation?_summary=count")
			count.sql = append(count.sql, `SELECT count(DISTINCT id) FROM search_observation`)
			count.args = append(count.args, nil)
		}
	}
	return []searchCase{token, dates, chain, revinc, count}, nil
}

// fhirSearch runs one search and returns Bundle.total (count) or the
// number of entries.
func fhirSearch(ctx context.Context, hc *http.Client, u string, count bool) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %d: %.300s", u, resp.StatusCode, body)
	}
	var b struct {
		Total *int
		Entry []json.RawMessage
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return 0, fmt.Errorf("GET %s: %w", u, err)
	}
	if count {
		if b.Total == nil {
			return 0, fmt.Errorf("GET %s: no total", u)
		}
		return *b.Total, nil
	}
	return len(b.Entry), nil
}

// duckCount runs one baseline query: its count, or its number of rows.
func duckCount(ctx context.Context, duck *duckBaseline, q string, args []any, count bool) (int, error) {
	if count {
		var n int
		err := duck.db.QueryRowContext(ctx, q, args...).Scan(&n)
		return n, err
	}
	rows, err := duck.db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}
