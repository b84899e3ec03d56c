package jobs

import (
	"bytes"
	"compress/gzip"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files under testdata/")

func TestRejectOutcome(t *testing.T) {
	var lines []byte
	for _, r := range []Reject{
		{Source: "/in/a.ndjson", Line: 2, Reason: "invalid JSON: unexpected end", Fragment: `{"resourceType":"Patient","id":"p4"`},
		{Source: "/in/b.json", Line: 0, Reason: "file is empty"},
		{Source: "/in/c.ndjson", Line: 7, Reason: "too long", Fragment: strings.Repeat("é", 150)},
	} {
		b, err := r.Outcome()
		require.NoError(t, err)
		lines = append(append(lines, b...), '\n')
	}
	golden := filepath.Join("testdata", "report.ndjson")
	if *rewrite {
		require.NoError(t, os.WriteFile(golden, lines, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), string(lines))
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijk", 10, "abcdefghij…"},
		{"aéé", 4, "aé…"}, // é is two bytes: no half rune
	} {
		require.Equal(t, tc.want, truncate(tc.in, tc.n), tc.in)
	}
}

func TestFragments(t *testing.T) {
	dir := t.TempDir()
	long := `{"resourceType":"Patient","x":"` + strings.Repeat("y", 10000) + `"}`
	plain := writeFile(t, dir, "a.ndjson", "one", "two", long, "four", "five")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("g1\ng2\r\ng3"))
	require.NoError(t, zw.Close())
	zipped := filepath.Join(dir, "b.ndjson.gz")
	require.NoError(t, os.WriteFile(zipped, gz.Bytes(), 0o644))

	var fr Fragments
	defer fr.Close()
	for _, tc := range []struct {
		path string
		line int
		want string
	}{
		{plain, 2, "two"},
		{plain, 3, truncate(long, MaxFragment)},
		{plain, 5, "five"},
		{plain, 1, "one"}, // backwards: reopened
		{plain, 4, "four"},
		{plain, 9, ""},
		{zipped, 2, "g2"},
		{zipped, 3, "g3"},
		{plain, 0, ""},
		{"s3://bucket/x.ndjson", 1, ""},
		{filepath.Join(dir, "none.ndjson"), 1, ""},
	} {
		require.Equal(t, tc.want, fr.Fragment(tc.path, tc.line), "%s:%d", tc.path, tc.line)
	}
}
