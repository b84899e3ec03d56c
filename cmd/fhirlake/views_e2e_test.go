package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// bpByCode counts the blood-pressure components of a generated
// Observation.ndjson by component code.
func bpByCode(t *testing.T, path string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, o := range readNDJSON(t, path) {
		isBP := false
		for _, c := range o["code"].(map[string]any)["coding"].([]any) {
			cm := c.(map[string]any)
			isBP = isBP || (cm["system"] == "http://loinc.org" && cm["code"] == "85354-9")
		}
		comps, _ := o["component"].([]any)
		for _, c := range comps {
			if isBP {
				code := c.(map[string]any)["code"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"].(string)
				out[code]++
			}
		}
	}
	return out
}

// httpDo sends a request and returns the status and body.
func httpDo(t *testing.T, method, url, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

// TestViewsEndToEnd manages a custom view over HTTP on a running server
// and checks its table through psql and pgx: create, replace, drop, and
// $run without storing.
func TestViewsEndToEnd(t *testing.T) {
	psqlBin := requireTool(t, "psql")
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "20", "--seed", "11", "--out", gen}, &out, &out), out.String())
	require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "demo", gen}, &out, &out), out.String())
	want := bpByCode(t, filepath.Join(gen, "Observation.ndjson"))
	total := 0
	for _, n := range want {
		total += n
	}
	require.Positive(t, total)

	srv := startServe(t, "--data", data)
	host, port, _ := strings.Cut(srv.pgAddr, ":")
	base := "http://" + srv.httpAddr + "/datastores/demo/views"
	psql := func(sql string) (string, error) {
		cmd := exec.Command(psqlBin, "-X", "-At", "-F", ",", "-v", "VERBOSITY=verbose", "-h", host, "-p", port, "-U", "fhirlake", "-d", "demo", "-c", sql)
		cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
		b, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(b)), err
	}
	pgConn := func() *pgx.Conn {
		conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://fhirlake@%s/demo?sslmode=disable", srv.pgAddr))
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close(ctx) })
		return conn
	}
	columns := func(conn *pgx.Conn) []string {
		rows, err := conn.Query(ctx, "select * from bp limit 0")
		require.NoError(t, err)
		defer rows.Close()
		var names []string
		for _, f := range rows.FieldDescriptions() {
			names = append(names, f.Name)
		}
		require.NoError(t, rows.Err())
		return names
	}
	bpFiles := func() []string {
		m, err := filepath.Glob(filepath.Join(data, "stores", "demo", "views", "bp.*"))
		require.NoError(t, err)
		return m
	}

	// Create: the name comes from the URL.
	status, hdr, body := httpDo(t, "PUT", base+"/bp", strings.Replace(bpView, `"name": "bp",`, "", 1), "Content-Type", "application/json")
	require.Equal(t, 201, status, string(body))
	require.Equal(t, "/datastores/demo/views/bp", hdr.Get("Location"))

	got, err := psql("select code, count(*) from bp group by 1 order by 1")
	require.NoError(t, err, got)
	require.Equal(t, formatCounts(want), got)

	conn := pgConn()
	require.Equal(t, []string{"id", "patient_id", "code", "value"}, columns(conn))
	var n int64
	var minSys float64
	require.NoError(t, conn.QueryRow(ctx, "select count(*), min(value) from bp where code = $1", "8480-6").Scan(&n, &minSys))
	require.EqualValues(t, want["8480-6"], n)
	require.Greater(t, minSys, 50.0, "systolic pressures are plausible numbers")
	var orphans int64
	require.NoError(t, conn.QueryRow(ctx, "select count(*) from bp left join patient p on p.id = bp.patient_id where p.id is null").Scan(&orphans))
	require.Zero(t, orphans, "every row joins its patient")

	status, _, body = httpDo(t, "GET", base, "")
	require.Equal(t, 200, status)
	var list []struct {
		Name    string
		Rows    int64
		Default bool
	}
	require.NoError(t, json.Unmarshal(body, &list))
	found := false
	for _, v := range list {
		if v.Name == "bp" {
			found = true
			require.EqualValues(t, total, v.Rows)
			require.False(t, v.Default)
		}
		if v.Name == "patient" {
			require.True(t, v.Default)
		}
	}
	require.True(t, found, string(body))

	// Replace: the table gains a column; the old files stay while a query
	// that started before the change is open (DuckDB opens files
	// lazily), here a cursor.
	oldFiles := bpFiles()
	reader := pgConn()
	_, err = reader.Exec(ctx, "BEGIN")
	require.NoError(t, err)
	_, err = reader.Exec(ctx, "DECLARE c CURSOR FOR SELECT * FROM bp")
	require.NoError(t, err)
	_, err = reader.Exec(ctx, "FETCH 1 FROM c")
	require.NoError(t, err)
	withUnit := strings.Replace(bpView, `{"name": "code", "path": "code.coding.first().code"},`,
		`{"name": "code", "path": "code.coding.first().code"}, {"name": "unit", "path": "value.ofType(Quantity).unit"},`, 1)
	status, _, body = httpDo(t, "PUT", base+"/bp", withUnit)
	require.Equal(t, 200, status, string(body))
	require.Equal(t, []string{"id", "patient_id", "code", "unit", "value"}, columns(pgConn()))
	got, err = psql("select unit, count(*) from bp group by 1")
	require.NoError(t, err, got)
	require.Equal(t, fmt.Sprintf("mm[Hg],%d", total), got)
	for _, f := range oldFiles {
		require.FileExists(t, f, "replaced files outlive the refresh while an older query is open")
	}
	_, err = reader.Exec(ctx, "FETCH ALL FROM c")
	require.NoError(t, err, "the open cursor still reads the replaced files")
	_, err = reader.Exec(ctx, "CLOSE c; COMMIT")
	require.NoError(t, err)
	// The next change sweeps them.
	status, _, body = httpDo(t, "PUT", base+"/bp", withUnit)
	require.Equal(t, 200, status, string(body))
	for _, f := range oldFiles {
		require.NoFileExists(t, f, "no query can open the replaced files any more")
	}

	status, _, body = httpDo(t, "GET", base+"/bp", "")
	require.Equal(t, 200, status)
	require.JSONEq(t, withUnit, string(body))

	// A view that does not compile is refused, naming the column.
	status, _, body = httpDo(t, "PUT", base+"/bp", strings.Replace(bpView, "code.coding.first().code", "code.coding.frist()", 1))
	require.Equal(t, 400, status)
	require.Contains(t, string(body), `column \"code\"`)
	require.Equal(t, []string{"id", "patient_id", "code", "unit", "value"}, columns(pgConn()), "a refused view changes nothing")

	// $run evaluates without storing.
	status, hdr, body = httpDo(t, "POST", base+"/$run?_format=csv&_limit=5", bpView)
	require.Equal(t, 200, status, string(body))
	require.Equal(t, "text/csv; charset=utf-8", hdr.Get("Content-Type"))
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 6)
	require.Equal(t, []string{"id", "patient_id", "code", "value"}, recs[0])
	status, hdr, body = httpDo(t, "POST", base+"/$run", bpView, "Accept", "application/vnd.apache.parquet")
	require.Equal(t, 200, status, string(body))
	require.Equal(t, "application/vnd.apache.parquet", hdr.Get("Content-Type"))
	pf, err := file.NewParquetReader(bytes.NewReader(body))
	require.NoError(t, err)
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	require.NoError(t, err)
	tbl, err := fr.ReadTable(ctx)
	require.NoError(t, err)
	require.EqualValues(t, min(total, 1000), tbl.NumRows())
	require.Equal(t, "value", tbl.Schema().Field(3).Name)
	tbl.Release()
	require.NoError(t, pf.Close())

	// Drop: the table is gone for both clients; with no query running its
	// files go at once.
	status, _, body = httpDo(t, "DELETE", base+"/bp", "")
	require.Equal(t, 204, status, string(body))
	got, err = psql("select count(*) from bp")
	require.Error(t, err)
	require.Contains(t, got, "42P01")
	_, err = pgConn().Exec(ctx, "select count(*) from bp")
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "got %v", err)
	require.Equal(t, "42P01", pgErr.Code)
	require.Empty(t, bpFiles())
	status, _, body = httpDo(t, "DELETE", base+"/bp", "")
	require.Equal(t, 404, status)
	require.Contains(t, string(body), "OperationOutcome")

	got, err = psql("select count(*) from patient")
	require.NoError(t, err, got)
	require.Equal(t, "20", got, "other tables are untouched")
	require.NoError(t, srv.stop())

	// A restart finds nothing to clean.
	require.NoError(t, startServe(t, "--data", data).stop())
	require.Empty(t, bpFiles())
}
