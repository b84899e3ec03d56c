package search

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestExtractGolden compares the values of the Synthea resources in
// testdata with testdata/golden/<name>.values.json (rewrite with
// -rewrite).
func TestExtractGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "synthea-*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(f)
			require.NoError(t, err)
			v, err := Extract(body)
			require.NoError(t, err)
			got, err := json.MarshalIndent(v, "", "  ")
			require.NoError(t, err)
			golden := filepath.Join("testdata", "golden", name+".values.json")
			if *rewrite {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, append(got, '\n'), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got)+"\n")
		})
	}
}

// TestExtractConcurrent runs Extract from several goroutines, which share
// the parameter table and the pool of extractors, and requires the same
// values as a serial run.
func TestExtractConcurrent(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "synthea-*.json"))
	require.NoError(t, err)
	var bodies [][]byte
	var want []Values
	for _, f := range files {
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		v, err := Extract(body)
		require.NoError(t, err)
		bodies, want = append(bodies, body), append(want, v)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				k := (g + i) % len(bodies)
				v, err := Extract(bodies[k])
				if err != nil || !equalJSON(v, want[k]) {
					errs <- files[k]
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for f := range errs {
		t.Errorf("concurrent Extract of %s differs", f)
	}
}

func equalJSON(a, b Values) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
