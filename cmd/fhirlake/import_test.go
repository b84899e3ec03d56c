package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/ingest"
	"github.com/fhirlake/fhirlake/internal/testutil"
	"github.com/fhirlake/fhirlake/store"
)

// importCounts parses the per-type table printed by import.
func importCounts(t *testing.T, out string) map[string]int {
	t.Helper()
	got := map[string]int{}
	re := regexp.MustCompile(`^\s*([A-Z][A-Za-z]+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s*$`)
	for _, line := range strings.Split(out, "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[2])
			got[m[1]] = n
		}
	}
	return got
}

func TestImportSyntheaSample(t *testing.T) {
	root := testutil.SharedDir(t, "data/synthea-small")
	ctx := context.Background()

	// Expected counts: the manifest for bundles, one line per resource for NDJSON.
	want := map[string]int{}
	manifest, err := os.ReadFile(filepath.Join(root, "bundles", "manifest.tsv"))
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(manifest)), "\n")[1:] {
		cols := strings.Split(line, "\t")
		for _, kv := range strings.Split(cols[len(cols)-1], ";") {
			k, v, _ := strings.Cut(kv, "=")
			n, _ := strconv.Atoi(v)
			want[k] += n
		}
	}
	ndjson, _ := filepath.Glob(filepath.Join(root, "bulk-ndjson", "*.ndjson"))
	for _, f := range ndjson {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		typ := strings.SplitN(filepath.Base(f), ".", 2)[0]
		want[typ] += bytes.Count(b, []byte("\n"))
	}

	data := filepath.Join(t.TempDir(), "data")
	var out, errw bytes.Buffer
	require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "synthea",
		filepath.Join(root, "bundles"), filepath.Join(root, "bulk-ndjson")}, &out, &errw), errw.String())
	require.Contains(t, out.String(), "rejected: 0", errw.String())
	require.Equal(t, want, importCounts(t, out.String()))
	// README totals: 5,985 resources in bundles and 7,160 in NDJSON.
	total := 0
	for _, n := range want {
		total += n
	}
	require.Equal(t, 5985+7160, total)

	// Re-importing creates nothing new, and leaves the views' files alone.
	viewFiles := func() []string {
		m, err := filepath.Glob(filepath.Join(data, "stores", "synthea", "views", "*.parquet"))
		require.NoError(t, err)
		return m
	}
	before := viewFiles()
	require.NotEmpty(t, before)
	out.Reset()
	require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "synthea", filepath.Join(root, "bulk-ndjson")}, &out, &errw))
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) == 5 && f[0] != "resource" {
			require.Equal(t, f[1], f[4], "all unchanged on re-import: %q", line)
		}
	}
	require.Equal(t, before, viewFiles(), "nothing changed, so no view was rebuilt")

	// Conditional references (Practitioner?identifier=…) are resolved to
	// Type/id by the import (package resolve), and no urn:uuid reference
	// is left.
	st := openTestStore(t, data, "synthea")
	defer st.Close()
	conditional, urn := 0, 0
	require.NoError(t, st.Scan(ctx, "Encounter", func(r store.Resource) error {
		if bytes.Contains(r.Body, []byte(`"Practitioner?identifier=`)) {
			conditional++
		}
		if bytes.Contains(r.Body, []byte(`"urn:uuid:`)) {
			urn++
		}
		return nil
	}))
	require.Zero(t, conditional)
	require.Zero(t, urn)
}

func TestImportBadInput(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	require.NoError(t, os.MkdirAll(in, 0o700))
	good := func(id string) string { return `{"resourceType":"Patient","id":"` + id + `","gender":"female"}` }
	files := map[string]string{
		"truncated.ndjson": good("a1") + "\n" + `{"resourceType":"Patient","id":"a2","gen` + "\n" + good("a3") + "\n",
		"notobject.ndjson": good("b1") + "\n[1,2]\n" + good("b3") + "\n",
		"unknown.ndjson":   good("c1") + "\n" + `{"resourceType":"Foo","id":"c2"}` + "\n" + good("c3") + "\n",
		"empty.ndjson":     "",
		// Valid enough to keep, but the patient view cannot read its date.
		"baddate.ndjson": `{"resourceType":"Patient","id":"f1","birthDate":"19x5"}` + "\n",
		"bundle.json": `{"resourceType":"Bundle","type":"transaction","entry":[
{"fullUrl":"urn:uuid:d1","resource":` + good("d1") + `,"request":{"method":"PUT","url":"Patient/d1"}},
{"fullUrl":"urn:uuid:d2","request":{"method":"POST","url":"Patient"}},
{"fullUrl":"urn:uuid:d3","resource":` + good("d3") + `,"request":{"method":"PUT","url":"Patient/d3"}}]}`,
	}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(in, name), []byte(body), 0o600))
	}
	// A gzip file cut short: two good lines compressed, then truncated.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for i := range 200 {
		zw.Write([]byte(good("e"+strconv.Itoa(i)) + "\n"))
	}
	zw.Close()
	require.NoError(t, os.WriteFile(filepath.Join(in, "cut.ndjson.gz"), gz.Bytes()[:gz.Len()-20], 0o600))

	var out, errw bytes.Buffer
	// Rejected records make the import "completed with errors" (exit status 3).
	var rejectedErr *rejectedError
	require.ErrorAs(t, run(ctx, []string{"import", "--data", filepath.Join(dir, "data"), in}, &out, &errw), &rejectedErr)
	errText := errw.String()
	rejected := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(errText))
	for sc.Scan() {
		line := strings.TrimPrefix(sc.Text(), "rejected: ")
		for name := range files {
			if strings.Contains(line, name+":") {
				rejected[name] = line
			}
		}
		if strings.Contains(line, "cut.ndjson.gz:") {
			rejected["cut.ndjson.gz"] = line
		}
	}
	for name, wantLine := range map[string]string{
		"truncated.ndjson": "truncated.ndjson:2:",
		"notobject.ndjson": "notobject.ndjson:2:",
		"unknown.ndjson":   "unknown.ndjson:2:",
		"empty.ndjson":     "empty.ndjson:",
		"bundle.json":      "bundle.json:",
		"cut.ndjson.gz":    "cut.ndjson.gz:",
	} {
		require.Contains(t, rejected[name], wantLine, "stderr:\n%s", errText)
	}
	require.Contains(t, rejected["unknown.ndjson"], "Foo")
	require.Contains(t, strings.ToLower(rejected["empty.ndjson"]), "empty")
	require.Contains(t, strings.ToLower(rejected["cut.ndjson.gz"]), "unexpected eof")
	require.Contains(t, out.String(), "rejected: 6")
	require.Contains(t, errText, "view patient: 1 resources could not be flattened")
	require.Contains(t, errText, "Patient/f1")
	// Every good record around the bad ones loaded: 2+2+2+2 plain, and the
	// gzip lines that arrived before the cut, and f1.
	n := importCounts(t, out.String())["Patient"]
	require.GreaterOrEqual(t, n, 9+150, out.String())
	require.Less(t, n, 9+200)
}

// TestInterruptedImportCatchesUp: resources committed to the raw store by
// an import that never rebuilt the views (interrupted, or failed) reach
// the views on the next import, though they now come back unchanged.
func TestInterruptedImportCatchesUp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "12", "--seed", "3", "--out", gen}, &out, &out))

	// The first half of an import: the raw store only.
	l, err := openLake(data, "test")
	require.NoError(t, err)
	_, err = l.ensureDatastore(ctx, "demo")
	require.NoError(t, err)
	st, err := l.store("demo")
	require.NoError(t, err)
	_, err = ingest.Import(ctx, st, []string{gen}, ingest.Options{})
	require.NoError(t, err)
	// A crash also leaves a half-written part behind.
	stray := filepath.Join(l.cat.DatastoreDir("demo"), "views", "patient.x.0.parquet.tmp")
	require.NoError(t, os.WriteFile(stray, []byte("partial"), 0o600))
	require.NoError(t, l.Close())

	out.Reset()
	require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "demo", gen}, &out, &out), out.String())
	require.Equal(t, 12, importCounts(t, out.String())["Patient"])
	require.NoFileExists(t, stray)

	cat, err := catalog.Open(data)
	require.NoError(t, err)
	defer cat.Close()
	v, err := cat.View("demo", "patient")
	require.NoError(t, err)
	require.EqualValues(t, 12, v.Rows, "the patient view caught up")
	seq, err := cat.MaterializedSeq("demo")
	require.NoError(t, err)
	require.Positive(t, seq)
}
