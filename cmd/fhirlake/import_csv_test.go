package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/ingest/normalize"
	"github.com/fhirlake/fhirlake/jobs"
	"github.com/fhirlake/fhirlake/store"
)

// csvmapFixture copies a file of csvmap's worked examples to dir/name.
func csvmapFixture(t *testing.T, src, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "ingest", "csvmap", "testdata", src))
	require.NoError(t, err)
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return p
}

// reportLines reads a job's error report as "location: diagnostics".
func reportLines(t *testing.T, path string) []string {
	t.Helper()
	f := openReport(t, path)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var oo struct {
			ResourceType string
			Issue        []struct {
				Diagnostics string
				Location    []string
			}
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &oo))
		require.Equal(t, "OperationOutcome", oo.ResourceType)
		require.Len(t, oo.Issue, 1)
		out = append(out, filepath.Base(oo.Issue[0].Location[0])+": "+oo.Issue[0].Diagnostics)
	}
	require.NoError(t, sc.Err())
	return out
}

// storedBodies reads the current resources of some types from a data
// store's raw store, by "Type/id".
func storedBodies(t *testing.T, data, ds string, types ...string) map[string]string {
	t.Helper()
	st := openTestStore(t, data, ds)
	defer st.Close()
	out := map[string]string{}
	for _, typ := range types {
		require.NoError(t, st.Scan(context.Background(), typ, func(r store.Resource) error {
			out[typ+"/"+r.ID] = string(r.Body)
			return nil
		}))
	}
	return out
}

// TestImportCSVMapping runs `fhirlake import --mapping m.json labs.csv`
// on csvmap's lab-results example: the good rows load (one Patient per
// MRN, each Observation's subject resolved to it), each bad row cell is
// one line of the job's error report, the job keeps its own copy of the
// mapping, and a re-run changes nothing.
func TestImportCSVMapping(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	mapping := csvmapFixture(t, "labs.json", dir, "m.json")
	labs := csvmapFixture(t, "labs.csv", dir, "labs.csv")
	args := []string{"import", "--data", data, "--datastore", "labs", "--mapping", mapping, labs}

	var out, errw bytes.Buffer
	var rejectedErr *rejectedError
	require.ErrorAs(t, run(ctx, args, &out, &errw), &rejectedErr, errw.String())
	require.Equal(t, map[string]int{"Patient": 3, "Observation": 4}, importCounts(t, out.String()), out.String())
	require.Contains(t, out.String(), "rejected: 5")

	j := rejectedErr.job
	require.Equal(t, jobs.CompletedWithErrors, j.State)
	require.True(t, j.Normalize)
	require.Equal(t, filepath.Join(filepath.Dir(j.ErrorReport), jobs.MappingFile), j.Mapping)
	require.Equal(t, []string{
		`labs.csv:5: column "TEST_CODE": "XYZ" is not in lookup "labcode"`,
		`labs.csv:6: column "COLLECTED": "2024-13-02 09:00" is not a dateTime in format YYYY-MM-DD HH:mm`,
		`labs.csv:6: column "RESULT": "high" is not a decimal number`,
		`labs.csv:8: column "ACCESSION": a value is required`,
		`labs.csv:8: column "STATUS": "Z" is not in lookup "status"`,
	}, reportLines(t, j.ErrorReport))
	rc := openReport(t, j.ErrorReport)
	report, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	first, _, _ := strings.Cut(string(report), "\n")
	require.Contains(t, first, `"100002;A-1003;XYZ;Mystery test;1;;2024-03-02 09:00;;F;"`, "the offending row is the fragment")

	stored := storedBodies(t, data, "labs", "Patient", "Observation")
	require.Len(t, stored, 7)
	for key, body := range stored {
		var o struct{ Subject *struct{ Reference string } }
		require.NoError(t, json.Unmarshal([]byte(body), &o))
		if strings.HasPrefix(key, "Observation/") {
			require.NotNil(t, o.Subject, key)
			require.Contains(t, stored, o.Subject.Reference, "%s refers to a stored patient", key)
		}
	}

	// The job reads its own copy of the mapping: the original may go. A
	// re-run creates nothing and finds every patient.
	require.NoError(t, os.Remove(mapping))
	require.NoError(t, os.WriteFile(mapping, []byte("not: [a mapping"), 0o600))
	out.Reset()
	errw.Reset()
	args[6] = j.Mapping
	require.ErrorAs(t, run(ctx, args, &out, &errw), &rejectedErr, errw.String())
	require.Equal(t, map[string]int{"Observation": 4}, importCounts(t, out.String()), out.String())
	require.Contains(t, out.String(), "rejected: 5")
	require.Equal(t, stored, storedBodies(t, data, "labs", "Patient", "Observation"))

	// A broken mapping is a usage error, told before anything runs.
	errw.Reset()
	args[6] = mapping
	err = run(ctx, args, &out, &errw)
	var ue *usageError
	require.ErrorAs(t, err, &ue)
	require.ErrorContains(t, err, "--mapping")

	// Without --mapping the CSV is one rejected record.
	out.Reset()
	require.ErrorAs(t, run(ctx, []string{"import", "--data", data, "--datastore", "labs", labs}, &out, &errw), &rejectedErr)
	require.Contains(t, out.String(), "rejected: 1")
	lines := reportLines(t, rejectedErr.job.ErrorReport)
	require.Len(t, lines, 1)
	require.Contains(t, lines[0], "labs.csv: a CSV extract needs a mapping")
}

// TestImportNormalizeFlag: import normalises records by default (the
// changed ones get the normalize meta.tag); --no-normalize stores them as
// read.
func TestImportNormalizeFlag(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	in := filepath.Join(dir, "in.ndjson")
	require.NoError(t, os.WriteFile(in, []byte(
		`{"resourceType":"Patient","id":"p1","gender":"Male"}`+"\n"+
			`{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},`+
			`"code":{"coding":[{"system":"2.16.840.1.113883.6.96","code":"271649006"}]},`+
			`"valueQuantity":{"value":5.4,"unit":"mg/dl","system":"http://unitsofmeasure.org","code":"mg/dl"}}`+"\n"), 0o600))
	for _, tc := range []struct {
		name, ds string
		flags    []string
		want     []string // substrings of the stored bodies
		wantNorm string   // the "normalized: N" of the summary
		tagged   bool
	}{
		{name: "default", ds: "norm", want: []string{`"gender":"male"`, `"system":"http://snomed.info/sct"`, `"code":"mg/dL"`},
			wantNorm: "normalized: 2", tagged: true},
		{name: "--no-normalize", ds: "raw", flags: []string{"--no-normalize"},
			want: []string{`"gender":"Male"`, `"system":"2.16.840.1.113883.6.96"`, `"code":"mg/dl"`}, wantNorm: "normalized: 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			args := append([]string{"import", "--data", data, "--datastore", tc.ds}, tc.flags...)
			require.NoError(t, run(ctx, append(args, in), &out, &errw), errw.String())
			require.Contains(t, out.String(), tc.wantNorm)
			stored := storedBodies(t, data, tc.ds, "Patient", "Observation")
			require.Len(t, stored, 2)
			all := stored["Patient/p1"] + stored["Observation/o1"]
			for _, s := range tc.want {
				require.Contains(t, all, s)
			}
			for _, body := range stored {
				require.Equal(t, tc.tagged, strings.Contains(body, normalize.TagSystem), body)
			}
		})
	}
}

// TestImportCSVViaServer: with a server holding the data folder, `fhirlake
// import --mapping` sends the mapping inline and the job, run in the
// server, keeps its own copy of it and the --no-normalize choice.
func TestImportCSVViaServer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	mapping := csvmapFixture(t, "labs.json", dir, "m.json")
	labs := csvmapFixture(t, "labs.csv", dir, "labs.csv")

	srv := startServe(t, "--data", data)
	var out, errw bytes.Buffer
	var rejectedErr *rejectedError
	err := run(ctx, []string{"import", "--data", data, "--datastore", "labs", "--mapping", mapping, "--no-normalize", labs}, &out, &errw)
	require.ErrorAs(t, err, &rejectedErr, errw.String())
	require.Contains(t, errw.String(), "handing the import to it")
	require.Equal(t, map[string]int{"Patient": 3, "Observation": 4}, importCounts(t, out.String()), out.String())
	require.Contains(t, out.String(), "rejected: 5")
	j := rejectedErr.job
	require.False(t, j.Normalize)
	require.Equal(t, filepath.Join(filepath.Dir(j.ErrorReport), jobs.MappingFile), j.Mapping)
	want, err := os.ReadFile(mapping)
	require.NoError(t, err)
	got, err := os.ReadFile(j.Mapping)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
	require.Len(t, reportLines(t, j.ErrorReport), 5)
	leftovers, err := filepath.Glob(filepath.Join(data, "stores", "labs", ".mapping-*"))
	require.NoError(t, err)
	require.Empty(t, leftovers, "the server's temporary copy is removed")
	require.NoError(t, srv.stop())
}
