package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/store"
	"github.com/fhirlake/fhirlake/synth"
)

// linkFixture generates patients with known duplicates into a new data
// store and returns the data folder and the true pairs ("a b", a < b).
func linkFixture(t *testing.T) (string, map[string]bool) {
	t.Helper()
	ctx := context.Background()
	gen := t.TempDir()
	gst, err := synth.Generate(ctx, synth.Options{Patients: 80, Seed: 11, Out: gen, Duplicates: 0.25})
	require.NoError(t, err)
	require.NotEmpty(t, gst.Duplicates)
	truth := map[string]bool{}
	for _, d := range gst.Duplicates {
		truth[orderedPair(d.Original, d.Duplicate)] = true
	}

	data := t.TempDir()
	l, err := openLake(data, "test")
	require.NoError(t, err)
	require.NoError(t, l.createDatastore(ctx, "demo"))
	st, err := l.store("demo")
	require.NoError(t, err)
	f, err := os.Open(filepath.Join(gen, "Patient.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	var in []store.Input
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		body := bytes.Clone(sc.Bytes())
		id := strings.SplitN(strings.SplitN(string(body), `"id":"`, 2)[1], `"`, 2)[0]
		in = append(in, store.Input{Type: "Patient", ID: id, Body: body})
	}
	require.NoError(t, sc.Err())
	_, err = st.Put(ctx, in)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	return data, truth
}

func orderedPair(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + " " + b
}

// linkedPairs parses the "link Patient/a Patient/b score" lines of the
// link command's output.
func linkedPairs(out string) map[string]bool {
	got := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && f[0] == "link" {
			got[orderedPair(strings.TrimPrefix(f[1], "Patient/"), strings.TrimPrefix(f[2], "Patient/"))] = true
		}
	}
	return got
}

func TestLinkCommand(t *testing.T) {
	ctx := context.Background()
	data, truth := linkFixture(t)
	args := []string{"link", "--data", data, "--datastore", "demo"}

	var out, errw bytes.Buffer
	require.NoError(t, run(ctx, append(args, "--dry-run"), &out, &errw), errw.String())
	require.Equal(t, truth, linkedPairs(out.String()), out.String())
	require.Contains(t, out.String(), "would update (dry run)")

	dropLinkView(t, data) // as in a data store created before the view shipped
	out.Reset()
	require.NoError(t, run(ctx, args, &out, &errw), errw.String())
	require.Equal(t, truth, linkedPairs(out.String()), out.String())
	require.Contains(t, errw.String(), "added view demo.patient_link")
	require.Contains(t, out.String(), "updated "+strconv.Itoa(2*len(truth))+" patients")

	out.Reset()
	require.NoError(t, run(ctx, args, &out, &errw), errw.String())
	require.Contains(t, out.String(), "updated 0 patients", "a second run adds nothing")

	l, err := openLake(data, "test")
	require.NoError(t, err)
	defer l.Close()
	st, err := l.store("demo")
	require.NoError(t, err)
	for pair := range truth {
		a, b, _ := strings.Cut(pair, " ")
		for _, x := range [][2]string{{a, b}, {b, a}} {
			r, err := st.Read(ctx, "Patient", x[0])
			require.NoError(t, err)
			require.Contains(t, string(r.Body), `"other":{"reference":"Patient/`+x[1]+`"},"type":"seealso"`)
			require.Equal(t, int64(2), r.Version, "linked once")
		}
	}
	v, err := l.cat.View("demo", "patient_link")
	require.NoError(t, err)
	require.GreaterOrEqual(t, v.Rows, int64(2*len(truth)), "the patient_link view was refreshed")
}

func TestLinkUsage(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"argument", []string{"link", "extra"}, "unexpected argument"},
		{"thresholds", []string{"link", "--lower", "30", "--upper", "20"}, "above --upper"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			err := run(context.Background(), c.args, &out, &errw)
			var ue *usageError
			require.ErrorAs(t, err, &ue)
			require.ErrorContains(t, err, c.want)
		})
	}
}

// dropLinkView removes the patient_link view of data store demo.
func dropLinkView(t *testing.T, data string) {
	t.Helper()
	l, err := openLake(data, "test")
	require.NoError(t, err)
	require.NoError(t, l.cat.DeleteView("demo", "patient_link"))
	require.NoError(t, l.Close())
}

// TestGenerateDuplicates covers `fhirlake generate --duplicates`, which
// makes the test sets of `fhirlake link`.
func TestGenerateDuplicates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out, errw bytes.Buffer
	err := run(ctx, []string{"generate", "--patients", "40", "--out", dir, "--duplicates", "0.5"}, &out, &errw)
	require.NoError(t, err, errw.String())
	require.Contains(t, out.String(), "duplicate patients; true pairs in "+filepath.Join(dir, synth.DuplicatesFile))
	tsv, err := os.ReadFile(filepath.Join(dir, synth.DuplicatesFile))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(tsv), "original_id\tduplicate_id\n"))

	err = run(ctx, []string{"generate", "--patients", "4", "--out", dir, "--duplicates", "1.5"}, &out, &errw)
	require.ErrorContains(t, err, "--duplicates must be between 0 and 1")
}
