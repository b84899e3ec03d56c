package flatten

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
	"github.com/fhirlake/fhirlake/synth"
)

// prefilterWheres are where clauses for the differential tests: some the
// analysis proves safe (with and without string sets), some it must
// refuse, some that fail at evaluation.
var prefilterWheres = [][]string{
	{"code.coding.exists(system = 'http://loinc.org' and code = '85354-9')"},
	{"code.coding.exists(code = '85354-9')", "status = 'final'"},
	{"code.coding.where(code = '8867-4' or code = '85354-9').exists()"},
	{"code.coding.exists(code = '85354-9') or category.coding.exists(code = 'laboratory')"},
	{"(status = 'final').not()"},
	{"subject.reference = 'Patient/x' or status != 'final'"},
	{"value.ofType(Quantity).value > 100"},
	{"code.coding.exists(code = '85354-9')", "code.coding.code"},
	{"code.coding.code", "code.coding.exists(code = '85354-9')"},
	{"code.coding.code = '85354-9'"},
	{"component.code.coding.first().code = '8480-6' and code.text.exists()"},
	{"'85354-9' = code.coding.code.first()"},
}

// shortcutViews are views whose selects exercise the projected decoding:
// iterations, nested and union selects, %resource, choice types and
// primitive extensions.
var shortcutViews = []string{
	`{"resource":"Patient","select":[{"column":[{"name":"id","path":"id"},{"name":"b","path":"birthDate"}]},{"forEach":"name","column":[{"name":"f","path":"family"},{"name":"r","path":"%resource.id"}]}]}`,
	`{"resource":"Patient","select":[{"column":[{"name":"k","path":"getResourceKey()"}]},{"unionAll":[{"forEach":"telecom","column":[{"name":"v","path":"value"}]},{"forEach":"address","column":[{"name":"v","path":"city"}]}]}]}`,
	`{"resource":"Observation","select":[{"column":[{"name":"v","path":"value.ofType(Quantity).value"},{"name":"e","path":"effective.ofType(dateTime)"},{"name":"x","path":"status.extension('http://x').value.ofType(string)"}]}]}`,
	`{"resource":"Observation","select":[{"forEachOrNull":"component","column":[{"name":"c","path":"code.coding.code.first()"},{"name":"t","path":"%resource.status"}]}]}`,
	`{"resource":"Observation","select":[{"repeat":["component","code"],"column":[{"name":"t","path":"text"}]}]}`,
	`{"resource":"Observation","where":[{"path":"subject.exists()"}],"select":[{"column":[{"name":"id","path":"id"},{"name":"r","path":"Observation.status"}]}]}`,
}

// prefilterViews compiles an Observation view per where list, the
// shortcut views, the default views and the bench suite's views.
func prefilterViews(tb testing.TB) []*View {
	var views []*View
	for i, ws := range prefilterWheres {
		vd := &ViewDefinition{Name: fmt.Sprintf("w%d", i), Resource: "Observation",
			Select: []Select{{Column: []Column{{Name: "id", Path: "id"}, {Name: "code", Path: "code.coding.code", Collection: true}}}}}
		for _, w := range ws {
			vd.Where = append(vd.Where, Where{Path: w})
		}
		v, err := Compile(vd)
		require.NoError(tb, err, "where %q", ws)
		views = append(views, v)
	}
	for _, def := range shortcutViews {
		vd, err := ParseView([]byte(def))
		require.NoError(tb, err, def)
		v, err := Compile(vd)
		require.NoError(tb, err, def)
		views = append(views, v)
	}
	for _, vd := range DefaultViews() {
		v, err := Compile(vd)
		require.NoError(tb, err, vd.Name)
		views = append(views, v)
	}
	files, err := filepath.Glob(filepath.Join("..", "bench", "views", "*.json"))
	require.NoError(tb, err)
	for _, f := range files {
		def, err := os.ReadFile(f)
		require.NoError(tb, err)
		vd, err := ParseView(def)
		require.NoError(tb, err)
		v, err := Compile(vd)
		require.NoError(tb, err)
		views = append(views, v)
	}
	return views
}

// samePrefiltered checks that Evaluate gives the same rows and error with
// and without its shortcuts (prefilter and projected decoding), and
// reports whether the prefilter skipped the resource.
func samePrefiltered(t *testing.T, v *View, res []byte) (skipped bool) {
	t.Helper()
	want, wantErr := v.evaluate(res, false)
	got, gotErr := v.evaluate(res, true)
	if wantErr != nil || gotErr != nil {
		require.Error(t, gotErr, "view %s resource %s: full evaluation failed with %v", v.Name(), res, wantErr)
		require.EqualError(t, gotErr, wantErr.Error(), "view %s resource %s", v.Name(), res)
	}
	require.Equal(t, want, got, "view %s resource %s", v.Name(), res)
	var d fhirpath.Decoder
	ev := &evaluator{v: v}
	return ev.skip(&d, res)
}

// TestPrefilterDifferential runs generated Observations and mutants of
// them (codes swapped in, escapes, broken syntax, other resource types)
// through every test view with the prefilter on and off.
func TestPrefilterDifferential(t *testing.T) {
	res := prefilterResources(t)
	views := prefilterViews(t)
	projected := 0
	for _, v := range views {
		if newProjection(v) != nil {
			projected++
		}
	}
	// Nor if no view were decoded with a projection.
	require.Greater(t, projected, len(views)/2, "%d of %d views have a projection", projected, len(views))
	r := rand.New(rand.NewSource(1))
	skipped, total := 0, 0
	for _, base := range res {
		for _, in := range append([][]byte{base}, mutants(r, base, 3)...) {
			for _, v := range views {
				if samePrefiltered(t, v, in) {
					skipped++
				}
				total++
			}
		}
	}
	// The test would prove nothing if the prefilter never skipped.
	require.Greater(t, skipped, total/10, "the prefilter skipped %d of %d evaluations", skipped, total)
	t.Logf("prefilter skipped %d of %d evaluations", skipped, total)
}

// FuzzPrefilter checks, on arbitrary bytes, that the prefilter never
// changes what Evaluate returns.
func FuzzPrefilter(f *testing.F) {
	for _, r := range prefilterResources(f) {
		f.Add(r)
	}
	views := prefilterViews(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 10<<10 {
			return
		}
		for _, v := range views {
			samePrefiltered(t, v, data)
		}
	})
}

// prefilterResources returns resources from a small synthetic data set
// (Observations, blood pressure panels among them, and Patients) and the
// golden files of every default view.
func prefilterResources(tb testing.TB) [][]byte {
	dir := tb.TempDir()
	_, err := synth.Generate(context.Background(), synth.Options{Patients: 2, Seed: 7, Out: dir})
	require.NoError(tb, err)
	var out [][]byte
	golden, err := filepath.Glob(filepath.Join("testdata", "golden", "*.ndjson"))
	require.NoError(tb, err)
	for _, f := range append([]string{filepath.Join(dir, "Observation.ndjson"), filepath.Join(dir, "Patient.ndjson")}, golden...) {
		data, err := os.ReadFile(f)
		require.NoError(tb, err)
		for _, l := range bytes.Split(data, []byte("\n")) {
			if len(l) > 0 && len(out) < 400 {
				out = append(out, l)
			}
		}
	}
	return out
}

// mutants returns n variants of res, each with one edit.
func mutants(r *rand.Rand, res []byte, n int) [][]byte {
	edits := []func([]byte) []byte{
		func(b []byte) []byte { return replaceNth(r, b, []byte(`"code":"`), []byte(`"code":"85354-9","x":"`)) },
		func(b []byte) []byte { return replaceNth(r, b, []byte(`"final"`), []byte(`"fin\u0061l"`)) },
		func(b []byte) []byte { return replaceNth(r, b, []byte(`/`), []byte(`\/`)) },
		func(b []byte) []byte { return bytes.Replace(b, []byte(`"Observation"`), []byte(`"Patient"`), 1) },
		func(b []byte) []byte { return bytes.Replace(b, []byte(`"85354-9"`), []byte(`"85354-0"`), -1) },
		func(b []byte) []byte { return b[:r.Intn(len(b)+1)] },
		func(b []byte) []byte { return append(b, " x"[r.Intn(2)]) },
		func(b []byte) []byte {
			const alphabet = "{}[],:\"\\ 0.-e\t\x01tnf"
			i := r.Intn(len(b))
			return append(append(b[:i:i], alphabet[r.Intn(len(alphabet))]), b[i+1:]...)
		},
		func(b []byte) []byte {
			i := r.Intn(len(b))
			return append(b[:i:i], b[i+1:]...)
		},
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = edits[r.Intn(len(edits))](bytes.Clone(res))
	}
	return out
}

// replaceNth replaces a random occurrence of old in b, if any.
func replaceNth(r *rand.Rand, b, old, new []byte) []byte {
	k := bytes.Count(b, old)
	if k == 0 {
		return b
	}
	at, n := 0, r.Intn(k)
	for ; ; n-- {
		i := bytes.Index(b[at:], old)
		if n == 0 {
			at += i
			break
		}
		at += i + len(old)
	}
	return append(append(b[:at:at], new...), b[at+len(old):]...)
}
