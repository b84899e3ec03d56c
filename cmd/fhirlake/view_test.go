package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// bpView is a custom view: one row per component of each blood-pressure
// panel (LOINC 85354-9).
const bpView = `{
  "resourceType": "ViewDefinition",
  "name": "bp",
  "resource": "Observation",
  "where": [{"path": "code.coding.where(system = 'http://loinc.org' and code = '85354-9').exists()"}],
  "select": [
    {"column": [
      {"name": "id", "path": "getResourceKey()"},
      {"name": "patient_id", "path": "subject.getReferenceKey(Patient)"}
    ]},
    {"forEach": "component", "column": [
      {"name": "code", "path": "code.coding.first().code"},
      {"name": "value", "path": "value.ofType(Quantity).value", "type": "decimal"}
    ]}
  ]
}`

// bpComponents counts the components of blood-pressure panels in a
// generated Observation.ndjson, which is what bp must hold.
func bpComponents(t *testing.T, path string) int {
	t.Helper()
	n := 0
	for _, o := range readNDJSON(t, path) {
		isBP := false
		for _, c := range o["code"].(map[string]any)["coding"].([]any) {
			cm := c.(map[string]any)
			isBP = isBP || (cm["system"] == "http://loinc.org" && cm["code"] == "85354-9")
		}
		if comps, ok := o["component"].([]any); ok && isBP {
			n += len(comps)
		}
	}
	return n
}

// TestViewCommand runs `fhirlake view` in sequence against one imported
// data store and checks the output, the exit class and the files.
func TestViewCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"generate", "--patients", "5", "--seed", "3", "--out", gen}, &out, &out), out.String())
	require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "demo", gen}, &out, &out), out.String())
	wantBP := bpComponents(t, filepath.Join(gen, "Observation.ndjson"))
	require.Positive(t, wantBP)

	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	bp := write("bp.json", bpView)
	bp2 := write("bp2.json", strings.Replace(bpView, `{"name": "code", "path": "code.coding.first().code"},`,
		`{"name": "code", "path": "code.coding.first().code"}, {"name": "unit", "path": "value.ofType(Quantity).unit"},`, 1))
	badCol := write("bad.json", strings.Replace(bpView, "code.coding.first().code", "code.coding.frist()", 1))
	badName := write("badname.json", strings.Replace(bpView, `"name": "bp"`, `"name": "BloodPressure"`, 1))
	noName := write("noname.json", strings.Replace(bpView, `"name": "bp",`, ``, 1))
	patient := write("patient.json", `{"name":"patient","resource":"Patient","select":[{"column":[{"name":"id","path":"getResourceKey()"},{"name":"gender","path":"gender"}]}]}`)
	stdin := write("stdin.json", strings.Replace(bpView, `"name": "bp"`, `"name": "bp_stdin"`, 1))

	v := func(args ...string) []string { return append([]string{"view", "--data", data}, args...) }
	bpFiles := func() []string {
		m, err := filepath.Glob(filepath.Join(data, "stores", "demo", "views", "bp.*"))
		require.NoError(t, err)
		return m
	}
	steps := []struct {
		args      []string
		stdin     string
		wantOut   []string
		wantErr   string
		wantUsage bool
		wantLines [][]string // lines of output, split into fields
		wantNot   []string
		check     func(t *testing.T)
	}{
		{args: v("list"), wantOut: []string{"NAME", "RESOURCE", "ROWS", "KIND", "patient", "Patient", "5", "default"}},
		{args: v("create", bp), wantOut: []string{"created view bp in data store demo: " + strconv.Itoa(wantBP) + " rows from Observation resources"}},
		{args: v("create", bp), wantErr: "already exists (use --replace"},
		{args: v("list"), wantOut: []string{"bp", "Observation", strconv.Itoa(wantBP), "custom"}},
		{args: v("show", "bp"), wantOut: []string{`"forEach": "component"`, `"name": "bp"`}},
		{args: v("create", "--replace", bp2), wantOut: []string{"replaced view bp"}, check: func(t *testing.T) {
			// One part per worker that got rows: between 1 and GOMAXPROCS,
			// and none of the replaced generation.
			files := bpFiles()
			require.NotEmpty(t, files)
			require.LessOrEqual(t, len(files), runtime.GOMAXPROCS(0), "the replaced parts are swept")
			gen := strings.Split(filepath.Base(files[0]), ".")[1]
			for _, f := range files {
				require.Equal(t, gen, strings.Split(filepath.Base(f), ".")[1], "one generation only: %v", files)
			}
		}},
		{args: v("show", "bp"), wantOut: []string{`"name": "unit"`}},
		{args: v("create", badCol), wantErr: `column "code"`},
		{args: v("create", badName), wantErr: `invalid view name "BloodPressure"`},
		{args: v("create", noName), wantErr: `has no "name"`},
		{args: v("create", filepath.Join(dir, "missing.json")), wantErr: "no such file"},
		{args: v("create", "-"), stdin: stdin, wantOut: []string{"created view bp_stdin"}},
		{args: v("drop", "bp"), wantOut: []string{"dropped view bp from data store demo"}, check: func(t *testing.T) {
			require.Empty(t, bpFiles(), "drop removes the view's files")
		}},
		{args: v("show", "bp"), wantErr: "not found"},
		{args: v("drop", "bp"), wantErr: "not found"},
		{args: v("create", patient), wantErr: "already exists"},
		{args: v("create", patient, "--replace"), wantOut: []string{"replaced view patient", "5 rows", "patient was a shipped default view; it is now a custom view"}},
		{args: v("--replace", "create", patient), wantOut: []string{"replaced view patient"}},
		{args: v("drop", "observation"), wantOut: []string{"dropped view observation", "observation was a shipped default view"}},
		{args: v("list"), wantLines: [][]string{{"patient", "Patient", "5", "custom"}, {"bp_stdin", "Observation", strconv.Itoa(wantBP), "custom"}},
			wantNot: []string{"observation "}},
		{args: v("--datastore", "nope", "list"), wantErr: `data store "nope"`},
		{args: v(), wantUsage: true, wantErr: "missing action"},
		{args: v("rename"), wantUsage: true, wantErr: `unknown action "rename"`},
		{args: v("show"), wantUsage: true, wantErr: "exactly one NAME"},
		{args: v("create"), wantUsage: true, wantErr: "exactly one FILE"},
		{args: v("list", "x"), wantUsage: true, wantErr: "no arguments"},
	}
	for _, s := range steps {
		name := strings.Join(s.args[3:], " ")
		if s.stdin != "" {
			f, err := os.Open(s.stdin)
			require.NoError(t, err)
			old := os.Stdin
			os.Stdin = f
			t.Cleanup(func() { os.Stdin = old; f.Close() })
		}
		var out, errw bytes.Buffer
		err := run(ctx, s.args, &out, &errw)
		if s.wantErr == "" {
			require.NoError(t, err, "%s\n%s", name, errw.String())
		} else {
			require.ErrorContains(t, err, s.wantErr, name)
			var ue *usageError
			require.Equal(t, s.wantUsage, errors.As(err, &ue), "%s: usage error (exit 2)? got %v", name, err)
		}
		for _, w := range s.wantOut {
			require.Contains(t, out.String(), w, name)
		}
		lines := map[string]bool{}
		for _, l := range strings.Split(out.String(), "\n") {
			lines[strings.Join(strings.Fields(l), " ")] = true
		}
		for _, w := range s.wantLines {
			require.True(t, lines[strings.Join(w, " ")], "%s: want a line %q in\n%s", name, w, out.String())
		}
		for _, w := range s.wantNot {
			require.NotContains(t, out.String(), w, name)
		}
		if s.check != nil {
			s.check(t)
		}
	}
}
