package deid

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/synth"
	"github.com/stretchr/testify/require"
)

// testNow is the reference date of the tests: the last day of a year, so
// a birth year alone gives the exact age (everyone has had their
// birthday), and the day before synth.ReferenceDate.
var testNow = time.Date(2025, time.December, 31, 12, 0, 0, 0, time.UTC)

var testKey = []byte("fhirlake-deid-test-key-0001")

// sourceResource is one generated resource, with its type.
type sourceResource struct {
	typ  string
	body []byte
}

var (
	corpusOnce sync.Once
	corpusData []sourceResource
	corpusErr  error
)

// corpus returns the resources of 200 generated patients (with 10%
// duplicate records; seed 5 has four people aged 90 or more), generated
// once per test binary.
func corpus(t testing.TB) []sourceResource {
	t.Helper()
	corpusOnce.Do(func() {
		dir, err := os.MkdirTemp("", "deid-corpus-")
		if err != nil {
			corpusErr = err
			return
		}
		defer os.RemoveAll(dir)
		if _, err := synth.Generate(context.Background(), synth.Options{Patients: 200, Seed: 5, Out: dir, Duplicates: 0.1}); err != nil {
			corpusErr = err
			return
		}
		corpusData, corpusErr = readNDJSON(dir)
	})
	require.NoError(t, corpusErr)
	return corpusData
}

func readNDJSON(dir string) ([]sourceResource, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []sourceResource
	for _, f := range files {
		typ := filepath.Base(f)
		typ = typ[:len(typ)-len(".ndjson")]
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			out = append(out, sourceResource{typ: typ, body: append([]byte(nil), sc.Bytes()...)})
		}
		err = sc.Err()
		fh.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// deidentifyAll runs every resource of src through d.
func deidentifyAll(t testing.TB, d *Deidentifier, src []sourceResource) [][]byte {
	t.Helper()
	out := make([][]byte, len(src))
	for i, r := range src {
		b, err := d.Resource(context.Background(), r.body)
		require.NoError(t, err, "%s", r.body)
		out[i] = b
	}
	return out
}

func newTest(t testing.TB, opts Options) *Deidentifier {
	t.Helper()
	if opts.Key == nil {
		opts.Key = testKey
	}
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	d, err := New(opts)
	require.NoError(t, err)
	return d
}
