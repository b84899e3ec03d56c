package synth

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// resource is a generated resource decoded generically.
type resource = map[string]any

// generate runs Generate into a fresh directory and returns it.
func generate(t testing.TB, patients int, seed int64, format string) (string, Stats) {
	t.Helper()
	dir := t.TempDir()
	st, err := Generate(context.Background(), Options{Patients: patients, Seed: seed, Format: format, Out: dir})
	require.NoError(t, err)
	return dir, st
}

// loadNDJSON reads every <Type>.ndjson file of dir, by type.
func loadNDJSON(t testing.TB, dir string) map[string][]resource {
	t.Helper()
	return loadNDJSONFiltered(t, dir, func(string, []byte) bool { return true })
}

// loadNDJSONFiltered reads the lines of dir's <Type>.ndjson files for
// which keep returns true, by type.
func loadNDJSONFiltered(t testing.TB, dir string, keep func(typ string, line []byte) bool) map[string][]resource {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	require.NoError(t, err)
	out := map[string][]resource{}
	for _, name := range files {
		typ := strings.TrimSuffix(filepath.Base(name), ".ndjson")
		f, err := os.Open(name)
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			if !keep(typ, sc.Bytes()) {
				continue
			}
			var r resource
			require.NoError(t, json.Unmarshal(sc.Bytes(), &r), "%s: %s", typ, sc.Text())
			out[typ] = append(out[typ], r)
		}
		require.NoError(t, sc.Err())
		require.NoError(t, f.Close())
	}
	return out
}

// digest returns the sha256 of every file in dir, by name.
func digest(t testing.TB, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		sum := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(sum[:])
	}
	return out
}

// walk calls fn for every key/value pair in v, recursively.
func walk(v any, fn func(key string, val any)) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fn(k, x[k])
			walk(x[k], fn)
		}
	case []any:
		for _, e := range x {
			walk(e, fn)
		}
	}
}

// str returns the string at a path of object keys ("subject", "reference").
func str(r resource, path ...string) string {
	var v any = r
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// codes returns the system|code pairs of a CodeableConcept field.
func codes(r resource, field string) []string {
	cc, _ := r[field].(map[string]any)
	list, _ := cc["coding"].([]any)
	var out []string
	for _, c := range list {
		m := c.(map[string]any)
		out = append(out, m["system"].(string)+"|"+m["code"].(string))
	}
	return out
}
