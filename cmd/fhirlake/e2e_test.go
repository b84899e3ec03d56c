package main

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
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/ingest/normalize"
)

// server is a `fhirlake serve` running in-process on free ports.
type server struct {
	pgAddr, httpAddr string
	stop             func() error
}

// startServe runs `fhirlake serve` with args and waits for its ready line.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"serve", "--pg", "127.0.0.1:0", "--http", "127.0.0.1:0", "--log-level", "warn"}, args...), pw, &lockedWriter{w: &stderr})
		pw.CloseWithError(fmt.Errorf("serve exited: %v", err))
		done <- err
	}()
	s := &server{}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(2 * time.Minute)
	for ready := false; !ready; {
		select {
		case line, ok := <-lines:
			if !ok {
				cancel()
				t.Fatalf("serve stopped before ready: %v\nstderr: %s", <-done, stderr.String())
			}
			switch {
			case strings.HasPrefix(line, "postgres: listening on "):
				s.pgAddr = strings.TrimPrefix(line, "postgres: listening on ")
			case strings.HasPrefix(line, "fhir:     listening on http://"):
				s.httpAddr = strings.TrimSuffix(strings.TrimPrefix(line, "fhir:     listening on http://"), "/fhir")
			case line == "ready":
				ready = true
			}
		case <-timeout:
			cancel()
			t.Fatal("serve did not print ready within 2 minutes")
		}
	}
	go func() {
		for range lines {
		}
	}()
	s.stop = func() error {
		cancel()
		return <-done
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			s.stop()
		}
	})
	require.NotEmpty(t, s.pgAddr)
	require.NotEmpty(t, s.httpAddr)
	return s
}

type lockedWriter struct {
	w io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) { return l.w.Write(p) }

// requireTool finds a client binary; under CI=true a missing one fails.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI=true: %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

// readNDJSON decodes every line of a generated file.
func readNDJSON(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m))
		out = append(out, m)
	}
	require.NoError(t, sc.Err())
	return out
}

// normalized returns a generated resource as import stores it: through
// the default normalisation (the normalize meta.tag and, for instance,
// phone numbers without formatting).
func normalized(t *testing.T, res map[string]any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(res)
	require.NoError(t, err)
	raw, _, err = normalize.New(normalize.Options{}).Normalize(raw)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

func refID(ref any) string {
	s, _ := ref.(map[string]any)["reference"].(string)
	return s[strings.LastIndexByte(s, '/')+1:]
}

func TestEndToEnd(t *testing.T) {
	psqlBin := requireTool(t, "psql")
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "50", "--seed", "7", "--out", gen}, &out, &out), out.String())
	out.Reset()
	require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "demo", gen}, &out, &out), out.String())
	require.Contains(t, out.String(), "rejected: 0")

	// What the generated files say, counted directly.
	patients := readNDJSON(t, filepath.Join(gen, "Patient.ndjson"))
	require.Len(t, patients, 50)
	gender := map[string]string{}
	for _, p := range patients {
		gender[p["id"].(string)] = p["gender"].(string)
	}
	wantByGender := map[string]int{}
	for _, c := range readNDJSON(t, filepath.Join(gen, "Condition.ndjson")) {
		wantByGender[gender[refID(c["subject"])]]++
	}

	srv := startServe(t, "--data", data)
	host, port, _ := strings.Cut(srv.pgAddr, ":")

	t.Run("psql", func(t *testing.T) {
		psql := func(args ...string) (string, error) {
			cmd := exec.Command(psqlBin, append([]string{"-X", "-h", host, "-p", port, "-U", "fhirlake", "-d", "demo"}, args...)...)
			cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
			b, err := cmd.CombinedOutput()
			return string(b), err
		}
		got, err := psql("-At", "-c", "select count(*) from patient")
		require.NoError(t, err, got)
		require.Equal(t, "50", strings.TrimSpace(got))

		got, err = psql("-At", "-F", ",", "-c", "select p.gender, count(*) from condition c join patient p on p.id = c.patient_id group by 1 order by 1")
		require.NoError(t, err, got)
		require.Equal(t, formatCounts(wantByGender), strings.TrimSpace(got))

		got, err = psql("-c", `\dt`)
		require.NoError(t, err, got)
		for _, table := range []string{"patient", "encounter", "condition", "observation", "medication_request", "procedure", "immunization", "allergy_intolerance", "document_reference"} {
			require.Contains(t, got, " "+table+" ", "\\dt lists %s:\n%s", table, got)
		}

		// An error carries its SQLSTATE and the connection survives it.
		got, err = psql("-v", "VERBOSITY=verbose", "-c", "selec 1", "-c", "select count(*) from nosuchtable", "-c", "select 40 + 2 as answer")
		require.NoError(t, err, got)
		require.Contains(t, got, "42601")
		require.Contains(t, got, "42P01")
		require.Contains(t, got, "42")
	})

	t.Run("pgx", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://fhirlake@%s/demo?sslmode=disable", srv.pgAddr))
		require.NoError(t, err)
		defer conn.Close(ctx)
		var n int64
		require.NoError(t, conn.QueryRow(ctx, "select count(*) from patient").Scan(&n))
		require.EqualValues(t, 50, n)

		_, err = conn.Exec(ctx, "select * from nosuchtable")
		var pgErr *pgconn.PgError
		require.True(t, errors.As(err, &pgErr), "got %v", err)
		require.Contains(t, []string{"42601", "42P01"}, pgErr.Code)

		rows, err := conn.Query(ctx, "select p.gender, count(*) from condition c join patient p on p.id = c.patient_id group by 1")
		require.NoError(t, err)
		got := map[string]int{}
		for rows.Next() {
			var g string
			var c int64
			require.NoError(t, rows.Scan(&g, &c))
			got[g] = int(c)
		}
		require.NoError(t, rows.Err())
		require.Equal(t, wantByGender, got)

		// Bare parameters get the types DuckDB infers, so pgx sends Go
		// numbers and times for them (it refuses a Go int for a text one).
		var adults int64
		require.NoError(t, conn.QueryRow(ctx, "select count(*) from patient where extract(year from birth_date) < $1 and birth_date < $2",
			2100, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)).Scan(&adults))
		require.EqualValues(t, 50, adults)

		var birth time.Time
		require.NoError(t, conn.QueryRow(ctx, "select birth_date from patient where id = $1", patients[0]["id"]).Scan(&birth))
		require.Equal(t, patients[0]["birthDate"], birth.Format("2006-01-02"))
	})

	t.Run("fhir", func(t *testing.T) {
		p := patients[3]
		resp, err := http.Get(fmt.Sprintf("http://%s/fhir/demo/Patient/%s", srv.httpAddr, p["id"]))
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode, string(body))
		require.Contains(t, resp.Header.Get("Content-Type"), "application/fhir+json")
		var got map[string]any
		require.NoError(t, json.Unmarshal(body, &got))
		meta := got["meta"].(map[string]any)
		require.Equal(t, "1", meta["versionId"])
		_, err = time.Parse(time.RFC3339Nano, meta["lastUpdated"].(string))
		require.NoError(t, err)
		delete(meta, "versionId")
		delete(meta, "lastUpdated")
		if len(meta) == 0 {
			delete(got, "meta")
		}
		require.Equal(t, normalized(t, p), got, "the stored resource is the generated one, normalised, plus meta")

		resp, err = http.Get(fmt.Sprintf("http://%s/fhir/demo/Patient/no-such-id", srv.httpAddr))
		require.NoError(t, err)
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, 404, resp.StatusCode)
		require.Contains(t, string(body), `"OperationOutcome"`)
	})

	t.Run("second process is refused", func(t *testing.T) {
		var out bytes.Buffer
		err := run(ctx, []string{"datastore", "--data", data, "create", "other"}, &out, &out)
		require.Error(t, err)
		require.Contains(t, err.Error(), "in use by pid")
		require.Contains(t, err.Error(), "fhirlake serve")
	})

	require.NoError(t, srv.stop())
}

func formatCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s,%d", k, m[k])
	}
	return b.String()
}
