package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// TestDeidProof is the proof of the de-identified outputs: over generated
// data, every de-identified view (as a deid-analyst sees it over the wire)
// and every file of a _deid=safe-harbor export holds none of the source's
// identifying values, while the counts by gender, five-year age band and
// condition code equal those of the identified views.
func TestDeidProof(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	var out bytes.Buffer
	cli := func(args ...string) {
		t.Helper()
		out.Reset()
		require.NoError(t, run(ctx, append(args[:1:1], append([]string{"--data", data}, args[1:]...)...), &out, &out), out.String())
	}
	require.NoError(t, run(ctx, []string{"generate", "--patients", "50", "--seed", "7", "--out", gen}, &out, &out), out.String())
	cli("import", "--datastore", "ward", gen)
	for _, u := range []string{"root", "dee"} {
		withStdin(t, "pw-"+u+"\n", func() { cli("user", "--password-stdin", "add", u) })
	}
	cli("grant", "deid-analyst", "--datastore", "ward", "dee")
	secrets := identifyingValues(t, gen)
	require.Greater(t, len(secrets), 500, "the generated data has identifying values to look for")

	srv := startServe(t, "--data", data)
	connect := func(user string) *pgx.Conn {
		conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s:pw-%s@%s/ward?sslmode=disable", user, user, srv.pgAddr))
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close(ctx) })
		return conn
	}
	root, dee := connect("root"), connect("dee")

	// What the deid-analyst reaches: schema deid, nothing else.
	tables := queryStrings(t, dee, "SELECT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1")
	require.Contains(t, tables, "deid.patient")
	require.Contains(t, tables, "deid.condition")
	for _, tb := range tables {
		require.True(t, strings.HasPrefix(tb, "deid."), tb)
	}
	for _, rel := range queryStrings(t, dee, `SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p')`) {
		require.True(t, strings.HasPrefix(rel, "deid."), rel)
	}
	for _, q := range []string{"SELECT count(*) FROM main.patient", "SELECT count(*) FROM ward.main.patient",
		"SELECT count(*) FROM audit.audit_log", "SELECT count(*) FROM search.patient"} {
		requireSQLState(t, dee, q, "42501")
	}
	requireSQLState(t, dee, "SELECT count(*) FROM audit_log", "42P01")
	requireSQLState(t, dee, "SELECT count(*) FROM read_parquet('stores/ward/views/*.parquet')", "42501")

	// Every value of every de-identified view, as text.
	var dump strings.Builder
	for _, tb := range tables {
		rows, err := dee.Query(ctx, "SELECT * FROM "+tb, pgx.QueryExecModeSimpleProtocol)
		require.NoError(t, err, tb)
		n := 0
		for rows.Next() {
			n++
			for _, v := range rows.RawValues() {
				dump.Write(v)
				dump.WriteByte('\t')
			}
			dump.WriteByte('\n')
		}
		require.NoError(t, rows.Err(), tb)
		if tb == "deid.patient" {
			require.Equal(t, 50, n)
		}
	}
	requireNoSecrets(t, "the de-identified views", dump.String(), secrets)
	// The check can fail: the identified patient view holds names,
	// identifiers, cities, ZIPs and birth dates.
	var identified strings.Builder
	for _, row := range queryStrings(t, root, "SELECT concat_ws(' ', mrn, family, given, city, postal_code, birth_date) FROM main.patient") {
		identified.WriteString(row + "\n")
	}
	require.Greater(t, len(findSecrets(identified.String(), secrets)), 100)

	// A de-identified export, run by an admin, and its files.
	exported := deidExport(t, srv, "root")
	requireNoSecrets(t, "the de-identified export", exported, secrets)
	require.Contains(t, exported, `"resourceType":"Patient"`)

	// The statistics survive: by gender, by five-year age band (ages of
	// 90 and over are one band, as Safe Harbor makes them) and by
	// condition code.
	year := time.Now().UTC().Year()
	stats := map[string]string{
		"gender": "SELECT coalesce(gender, '') AS k, count(*) FROM %s.patient GROUP BY 1",
		"age band": fmt.Sprintf(`SELECT (least(%d - CAST(substr(CAST(birth_date AS VARCHAR), 1, 4) AS INTEGER), 90) // 5)::VARCHAR AS k,
			count(*) FROM %%s.patient WHERE birth_date IS NOT NULL GROUP BY 1`, year),
		"condition code": "SELECT coalesce(snomed_code, '') || '/' || coalesce(icd10_code, '') AS k, count(*) FROM %s.condition GROUP BY 1",
	}
	for name, q := range stats {
		want := countsBy(t, root, fmt.Sprintf(q, "main"))
		require.NotEmpty(t, want, name)
		require.Equal(t, want, countsBy(t, dee, fmt.Sprintf(q, "deid")), name)
	}
	require.Greater(t, len(countsBy(t, root, fmt.Sprintf(stats["condition code"], "main"))), 5)
}

// identifyingValues collects the identifying values of the generated
// NDJSON files: every name part, identifier value, telecom value, address
// line, city, five-digit ZIP and full date (YYYY-MM-DD, also the date of
// a dateTime or instant).
//
// Values shorter than four characters are left out: a two-letter given
// name or a state code also occurs, by chance, inside kept codes and
// words, so finding one proves nothing. The three-digit ZIP prefix that
// Safe Harbor keeps is not looked for, only the full ZIP. Dates on
// January 1 are left out too: Safe Harbor keeps the year, and a typed
// date or timestamp column shows a year as its first day (2020 reads
// 2020-01-01), so such a date tells no more than its year.
func identifyingValues(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	add := func(kind, v string) {
		if v = strings.TrimSpace(v); len(v) >= 4 {
			out[v] = kind
		}
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if _, ok := x["family"]; ok || key == "name" {
				for _, k := range []string{"family", "given", "prefix", "suffix", "text"} {
					forStrings(x[k], func(s string) { add("name", s) })
				}
			}
			if key == "address" {
				forStrings(x["line"], func(s string) { add("address line", s) })
				forStrings(x["city"], func(s string) { add("city", s) })
				forStrings(x["postalCode"], func(s string) {
					if zip5.MatchString(s) {
						add("zip", s[:5])
					}
				})
			}
			if key == "identifier" || key == "telecom" {
				forStrings(x["value"], func(s string) { add(key, s) })
			}
			for k, c := range x {
				walk(k, c)
			}
		case []any:
			for _, c := range x {
				walk(key, c)
			}
		case string:
			if m := fullDate.FindString(x); m != "" && !strings.HasSuffix(m, "-01-01") {
				add("date", m)
			}
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			var r map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &r), f)
			walk("", r)
		}
		require.NoError(t, sc.Err())
	}
	return out
}

var (
	fullDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}`)
	zip5     = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
)

// forStrings calls fn for v if it is a string, or for each string of v.
func forStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, c := range x {
			if s, ok := c.(string); ok {
				fn(s)
			}
		}
	}
}

// requireNoSecrets fails listing the identifying values found in text. A
// value is found as a whole word (not inside a longer word or number, so
// the ZIP 02139 is not found inside a SNOMED code).
func requireNoSecrets(t *testing.T, what, text string, secrets map[string]string) {
	t.Helper()
	require.NotEmpty(t, text)
	require.Empty(t, findSecrets(text, secrets), "identifying values in %s", what)
}

// findSecrets returns the identifying values found in text, sorted.
func findSecrets(text string, secrets map[string]string) []string {
	var found []string
	for v, kind := range secrets {
		for i := 0; ; {
			j := strings.Index(text[i:], v)
			if j < 0 {
				break
			}
			at := i + j
			if wordEdge(text, at-1) && wordEdge(text, at+len(v)) {
				found = append(found, fmt.Sprintf("%s %q", kind, v))
				break
			}
			i = at + 1
		}
	}
	sort.Strings(found)
	return found
}

// wordEdge reports whether text has no letter or digit at i.
func wordEdge(text string, i int) bool {
	if i < 0 || i >= len(text) {
		return true
	}
	c := text[i]
	return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
}

// deidExport runs a system-level _deid=safe-harbor export as user and
// returns the text of its output and error files.
func deidExport(t *testing.T, srv *server, user string) string {
	t.Helper()
	base := "http://" + srv.httpAddr + "/fhir/ward"
	auth := []string{"Authorization", basicHeader(user, "pw-"+user)}
	status, h, body := httpDo(t, "GET", base+"/$export?_deid=safe-harbor", "",
		append([]string{"Prefer", "respond-async", "Accept", "application/fhir+json"}, auth...)...)
	require.Equal(t, 202, status, string(body))
	loc := h.Get("Content-Location")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		status, _, body = httpDo(t, "GET", loc, "", auth...)
		if status != 202 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the export did not finish")
		time.Sleep(50 * time.Millisecond)
	}
	require.Equal(t, 200, status, string(body))
	var m struct {
		Output, Error []struct{ URL string }
		Extension     map[string]string
	}
	require.NoError(t, json.Unmarshal(body, &m))
	require.Equal(t, "safe-harbor", m.Extension["deidentification"])
	require.NotEmpty(t, m.Output)
	var all strings.Builder
	for _, f := range append(m.Output, m.Error...) {
		status, _, b := httpDo(t, "GET", f.URL, "", auth...)
		require.Equal(t, 200, status, f.URL)
		all.Write(b)
	}
	return all.String()
}

// queryStrings returns the first column of a query's rows.
func queryStrings(t *testing.T, conn *pgx.Conn, q string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), q)
	require.NoError(t, err, q)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err, q)
	return out
}

// countsBy returns the rows (key, count) of a query as a map.
func countsBy(t *testing.T, conn *pgx.Conn, q string) map[string]int64 {
	t.Helper()
	rows, err := conn.Query(context.Background(), q)
	require.NoError(t, err, q)
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var n int64
		require.NoError(t, rows.Scan(&k, &n), q)
		out[k] = n
	}
	require.NoError(t, rows.Err(), q)
	return out
}

// requireSQLState runs q and expects it to fail with SQLSTATE code.
func requireSQLState(t *testing.T, conn *pgx.Conn, q, code string) {
	t.Helper()
	_, err := conn.Exec(context.Background(), q)
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "%s: want SQLSTATE %s, got %v", q, code, err)
	require.Equal(t, code, pgErr.Code, "%s: %s", q, pgErr.Message)
}
