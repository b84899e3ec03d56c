package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/jobs"
)

// TestImportSurvivesKill9 kills the server with SIGKILL at several
// moments of an import job (while records are read and written, and
// later, while views are rebuilt), restarting it each time: the job
// resumes by itself, and the data store ends equal to that of an
// uninterrupted import of the same files: the same resources by type,
// the same rows in every view, and no id twice in any view.
func TestImportSurvivesKill9(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen := filepath.Join(dir, "gen")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "150", "--seed", "11", "--out", gen}, &out, &out), out.String())

	// The reference: the same files, imported without interruption.
	ref := filepath.Join(dir, "ref")
	out.Reset()
	require.NoError(t, run(ctx, []string{"import", "--data", ref, "--datastore", "crash", gen}, &out, &out), out.String())

	data := filepath.Join(dir, "data")
	out.Reset()
	require.NoError(t, run(ctx, []string{"datastore", "--data", data, "create", "crash"}, &out, &out), out.String())
	addr, cmd := childServer(t, data)
	body, err := json.Marshal(map[string]any{"inputs": []string{gen}})
	require.NoError(t, err)
	resp, err := http.Post("http://"+addr+"/datastores/crash/imports", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	var j jobs.Job
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(raw))
	require.NoError(t, json.Unmarshal(raw, &j))

	status := func(addr string) jobs.Job {
		resp, err := http.Get("http://" + addr + "/datastores/crash/imports/" + j.ID)
		require.NoError(t, err)
		defer resp.Body.Close()
		var got jobs.Job
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
		return got
	}
	// Kill after the job has committed some records, then at fixed delays
	// after each restart, so that the kills land in different phases.
	require.Eventually(t, func() bool { return status(addr).Progress.Records > 0 }, time.Minute, 5*time.Millisecond)
	kill9(t, cmd)
	for _, delay := range []time.Duration{300 * time.Millisecond, 900 * time.Millisecond, 2 * time.Second} {
		addr, cmd = childServer(t, data)
		time.Sleep(delay)
		t.Logf("killed %s after restart: job %s, %d records", delay, status(addr).State, status(addr).Progress.Records)
		kill9(t, cmd)
	}
	addr, cmd = childServer(t, data)
	require.Eventually(t, func() bool { return status(addr).State.Final() }, 3*time.Minute, 50*time.Millisecond)
	final := status(addr)
	require.Equal(t, jobs.Completed, final.State, final.Error)
	require.GreaterOrEqual(t, final.Runs, 2, "the job was resumed")
	kill9(t, cmd)

	want := lakeContents(t, ref)
	got := lakeContents(t, data)
	require.Equal(t, want, got)
	require.Greater(t, want["resources Observation"], int64(1000), "%v", want)
	require.Greater(t, want["view patient"], int64(100), "%v", want)
	t.Logf("after %d runs, as without a crash: %v", final.Runs, got)
}

// lakeContents describes the crash data store of the data folder dir:
// the number of resources of each type in the raw store, and the rows and
// repeated ids of each view, read with a Postgres client.
func lakeContents(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	srv := startServe(t, "--data", dir)
	defer srv.stop()
	conn, err := pgx.Connect(ctx, "postgres://fhirlake@"+srv.pgAddr+"/crash?sslmode=require")
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT table_name FROM information_schema.columns WHERE table_schema = 'main' AND column_name = 'id' ORDER BY 1")
	require.NoError(t, err)
	var views []string
	for rows.Next() {
		var v string
		require.NoError(t, rows.Scan(&v))
		views = append(views, v)
	}
	require.NoError(t, rows.Err())
	out := map[string]int64{}
	for _, v := range views {
		var n, repeated int64
		require.NoError(t, conn.QueryRow(ctx, fmt.Sprintf(`SELECT count(*), count(*) - count(DISTINCT id) FROM %q`, v)).Scan(&n, &repeated), v)
		out["view "+v] = n
		// Compared with the reference: an import replayed after a crash
		// must not add a row for a resource already there.
		out["view "+v+" repeated ids"] = repeated
	}
	for _, typ := range []string{"Patient", "Encounter", "Observation", "Condition", "Procedure", "Immunization",
		"MedicationRequest", "AllergyIntolerance", "DocumentReference", "Organization", "Practitioner"} {
		resp, err := http.Get("http://" + srv.httpAddr + "/fhir/crash/" + typ + "?_summary=count")
		require.NoError(t, err)
		var b struct{ Total int64 }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&b))
		resp.Body.Close()
		out["resources "+typ] = b.Total
	}
	return out
}
