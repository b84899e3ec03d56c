package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
)

// TestFHIRWritesReachSQL writes through the FHIR API of a running server
// and watches the views through the Postgres protocol: a create appears,
// an update replaces its row, a delete removes it, and a transaction's
// references resolve in SQL.
func TestFHIRWritesReachSQL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "3", "--seed", "5", "--out", gen}, &out, &out), out.String())
	require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "demo", gen}, &out, &out), out.String())
	srv := startServe(t, "--data", data)
	base := "http://" + srv.httpAddr + "/fhir/demo"
	conn, err := pgx.Connect(ctx, "postgres://fhirlake@"+srv.pgAddr+"/demo?sslmode=disable")
	require.NoError(t, err)
	defer conn.Close(ctx)
	count := func(sql string, args ...any) int {
		var n int
		require.NoError(t, conn.QueryRow(ctx, sql, args...).Scan(&n))
		return n
	}
	// waitFor polls SQL until cond holds, and returns how long it took.
	waitFor := func(what string, cond func() bool) time.Duration {
		t.Helper()
		start := time.Now()
		for !cond() {
			if time.Since(start) > 20*time.Second {
				t.Fatalf("%s: not visible in SQL after 20s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
		return time.Since(start)
	}
	require.Equal(t, 3, count("select count(*) from patient"))

	status, hdr, body := httpDo(t, "POST", base+"/Patient", `{"resourceType":"Patient","gender":"female","birthDate":"1980-05-06"}`, "Content-Type", "application/fhir+json")
	require.Equal(t, 201, status, string(body))
	var created struct{ ID string }
	require.NoError(t, json.Unmarshal(body, &created))
	require.Contains(t, hdr.Get("Location"), "/Patient/"+created.ID+"/_history/1")
	took := waitFor("create", func() bool { return count("select count(*) from patient where id = $1", created.ID) == 1 })
	t.Logf("create visible in SQL after %v", took)

	status, _, body = httpDo(t, "PUT", base+"/Patient/"+created.ID,
		fmt.Sprintf(`{"resourceType":"Patient","id":%q,"gender":"male","birthDate":"1980-05-06"}`, created.ID),
		"Content-Type", "application/fhir+json", "If-Match", `W/"1"`)
	require.Equal(t, 200, status, string(body))
	waitFor("update", func() bool {
		return count("select count(*) from patient where id = $1 and gender = 'male'", created.ID) == 1
	})
	require.Equal(t, 1, count("select count(*) from patient where id = $1", created.ID), "the update replaced the row")
	require.Equal(t, 4, count("select count(*) from patient"))

	// A transaction: a patient and an observation referring to it.
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"urn:uuid:5b0e2e52-3d8b-4c6c-9d38-5f2f3c1f0e11","resource":{"resourceType":"Patient","gender":"other"},"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},
	   "subject":{"reference":"urn:uuid:5b0e2e52-3d8b-4c6c-9d38-5f2f3c1f0e11"},"effectiveDateTime":"2026-11-28T10:00:00Z",
	   "valueQuantity":{"value":72,"unit":"/min"}},"request":{"method":"POST","url":"Observation"}}]}`
	status, _, body = httpDo(t, "POST", base, tx, "Content-Type", "application/fhir+json")
	require.Equal(t, 200, status, string(body))
	var resp struct {
		Entry []struct {
			Response struct{ Status, Location string }
		}
	}
	require.NoError(t, json.Unmarshal(body, &resp))
	txPatient := strings.Split(resp.Entry[0].Response.Location, "/")[1]
	txObs := strings.Split(resp.Entry[1].Response.Location, "/")[1]
	waitFor("transaction", func() bool {
		return count("select count(*) from observation o join patient p on o.patient_id = p.id where o.id = $1 and p.id = $2", txObs, txPatient) == 1
	})

	// Delete: the patient leaves the view.
	status, _, body = httpDo(t, "DELETE", base+"/Patient/"+created.ID, "")
	require.Equal(t, 200, status, string(body))
	waitFor("delete", func() bool { return count("select count(*) from patient where id = $1", created.ID) == 0 })
	require.Equal(t, 4, count("select count(*) from patient"))
	require.Equal(t, 0, count("select count(*) from (select id from patient group by id having count(*) > 1) d"), "no row is duplicated")
	status, _, _ = httpDo(t, "GET", base+"/Patient/"+created.ID, "")
	require.Equal(t, 410, status)

	// The server validates writes against the R4 definitions.
	status, _, body = httpDo(t, "POST", base+"/Observation", `{"resourceType":"Observation","code":{"text":"x"},"valueQuantity":{"value":"high"}}`, "Content-Type", "application/fhir+json")
	require.Equal(t, 422, status, string(body))
	require.Contains(t, string(body), `"Observation.status"`)
	require.Contains(t, string(body), `"Observation.valueQuantity.value"`)

	// Bulk export of the patients: the deleted one is not in it.
	status, hdr, body = httpDo(t, "GET", base+"/$export?_type=Patient", "", "Prefer", "respond-async", "Accept", "application/fhir+json")
	require.Equal(t, 202, status, string(body))
	statusURL := hdr.Get("Content-Location")
	var manifest struct{ Output []struct{ URL string } }
	for deadline := time.Now().Add(30 * time.Second); ; {
		status, _, body = httpDo(t, "GET", statusURL, "")
		if status == 200 {
			break
		}
		require.Equal(t, 202, status, string(body))
		require.True(t, time.Now().Before(deadline), "export did not finish")
		time.Sleep(50 * time.Millisecond)
	}
	require.NoError(t, json.Unmarshal(body, &manifest))
	var lines []string
	for _, o := range manifest.Output {
		status, _, body = httpDo(t, "GET", o.URL, "")
		require.Equal(t, 200, status)
		lines = append(lines, strings.Split(strings.TrimSpace(string(body)), "\n")...)
	}
	require.Len(t, lines, 4)
	require.NotContains(t, strings.Join(lines, "\n"), created.ID)
}

// crashChildEnv names the data folder of a `fhirlake serve` run by this
// test binary as a child process, to be killed with SIGKILL.
const crashChildEnv = "FHIRLAKE_CRASH_SERVE"

// TestMain lets the test binary act as `fhirlake serve` for the crash
// tests.
func TestMain(m *testing.M) {
	if data := os.Getenv(crashChildEnv); data != "" {
		err := run(context.Background(), []string{"serve", "--data", data, "--pg", "127.0.0.1:0", "--http", "127.0.0.1:0", "--log-level", "warn"}, os.Stdout, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childServer starts the crash child on data and returns its HTTP address
// and process.
func childServer(t *testing.T, data string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+data)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	addr := ""
	for sc.Scan() {
		line := sc.Text()
		if a, ok := strings.CutPrefix(line, "fhir:     listening on http://"); ok {
			addr = strings.TrimSuffix(a, "/fhir")
		}
		if line == "ready" {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			require.NotEmpty(t, addr)
			return addr, cmd
		}
	}
	t.Fatalf("crash child stopped before ready: %v", sc.Err())
	return "", nil
}

func kill9(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
}

// TestAcknowledgedWritesSurviveKill9 kills the server with SIGKILL right
// after its writes were acknowledged, and again in the middle of a large
// transaction: after a restart every acknowledged write is there with its
// version, and nothing of the interrupted transaction is.
func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"datastore", "--data", data, "create", "ward"}, &out, &out), out.String())

	addr, cmd := childServer(t, data)
	base := "http://" + addr + "/fhir/ward"
	type acked struct {
		id      string
		version string
		gender  string
	}
	var writes []acked
	for i := range 40 {
		gender := []string{"female", "male"}[i%2]
		status, hdr, body := httpDo(t, "POST", base+"/Patient", fmt.Sprintf(`{"resourceType":"Patient","gender":%q}`, gender), "Content-Type", "application/fhir+json")
		require.Equal(t, 201, status, string(body))
		var p struct{ ID string }
		require.NoError(t, json.Unmarshal(body, &p))
		writes = append(writes, acked{p.ID, hdr.Get("ETag"), gender})
		if i%4 == 0 { // some get a second version
			status, hdr, body = httpDo(t, "PUT", base+"/Patient/"+p.ID, fmt.Sprintf(`{"resourceType":"Patient","id":%q,"gender":"unknown"}`, p.ID), "Content-Type", "application/fhir+json")
			require.Equal(t, 200, status, string(body))
			writes[len(writes)-1].version, writes[len(writes)-1].gender = hdr.Get("ETag"), "unknown"
		}
	}
	kill9(t, cmd)

	// Every acknowledged interaction is in the audit log, whose chain is
	// intact: the killed server appended each record before answering.
	audited := map[string]int{}
	require.NoError(t, auditRows(t, ctx, data, func(r audit.Record) error {
		if r.Kind == audit.KindFHIR && r.Outcome.Result == audit.Success {
			for _, ref := range r.Resources {
				audited[r.Action+" "+ref]++
			}
		}
		return nil
	}))
	for i, w := range writes {
		require.Equal(t, 1, audited["create Patient/"+w.id], "the create of %s is audited", w.id)
		if i%4 == 0 {
			require.Equal(t, 1, audited["update Patient/"+w.id], "the update of %s is audited", w.id)
		}
	}
	out.Reset()
	require.NoError(t, run(ctx, []string{"audit", "verify", "--data", data}, &out, &out), out.String())

	addr, cmd = childServer(t, data)
	base = "http://" + addr + "/fhir/ward"
	for _, w := range writes {
		status, hdr, body := httpDo(t, "GET", base+"/Patient/"+w.id, "")
		require.Equal(t, 200, status, string(body))
		require.Equal(t, w.version, hdr.Get("ETag"), w.id)
		require.Contains(t, string(body), `"gender":"`+w.gender+`"`)
	}

	// A large transaction, killed while the server works on it. The
	// same Bundle, small, commits: the large one fails only by the kill.
	bundleOf := func(n int) []byte {
		var tx bytes.Buffer
		tx.WriteString(`{"resourceType":"Bundle","type":"transaction","entry":[`)
		for i := range n {
			if i > 0 {
				tx.WriteByte(',')
			}
			fmt.Fprintf(&tx, `{"fullUrl":"urn:uuid:00000000-0000-4000-8000-%012d","resource":{"resourceType":"Observation","status":"final","code":{"text":"kill test"},"subject":{"reference":"Patient/%s"},"valueInteger":%d},"request":{"method":"POST","url":"Observation"}}`, i, writes[0].id, i)
		}
		tx.WriteString(`]}`)
		return tx.Bytes()
	}
	status, _, body := httpDo(t, "POST", base, string(bundleOf(20)), "Content-Type", "application/fhir+json")
	require.Equal(t, 200, status, string(body))
	tx := bytes.NewBuffer(bundleOf(20000))
	sent := make(chan struct{})
	go func() {
		req, _ := http.NewRequest("POST", base, &signalReader{r: bytes.NewReader(tx.Bytes()), eof: sent})
		req.Header.Set("Content-Type", "application/fhir+json")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-sent
	time.Sleep(100 * time.Millisecond)
	kill9(t, cmd)

	addr, _ = childServer(t, data)
	status, _, body = httpDo(t, "GET", "http://"+addr+"/fhir/ward/Observation/_history?_count=100", "")
	require.Equal(t, 200, status, string(body))
	var hist struct {
		Entry []json.RawMessage
		Link  []struct{ Relation string }
	}
	require.NoError(t, json.Unmarshal(body, &hist))
	require.Len(t, hist.Entry, 20, "the small transaction is there, nothing of the interrupted one")
	require.Len(t, hist.Link, 1, "no next page")
	status, _, _ = httpDo(t, "GET", "http://"+addr+"/fhir/ward/Patient/"+writes[0].id, "")
	require.Equal(t, 200, status)
}

// signalReader closes eof when its reader is exhausted: the request body
// was handed to the connection.
type signalReader struct {
	r    io.Reader
	eof  chan struct{}
	done bool
}

func (s *signalReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF && !s.done {
		s.done = true
		close(s.eof)
	}
	return n, err
}
