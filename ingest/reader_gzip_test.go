package ingest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/require"
)

// patientLines returns n NDJSON lines "Patient/p<i>" for i in [from, from+n).
func patientLines(from, n int) []byte {
	var b bytes.Buffer
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, `{"resourceType":"Patient","id":"p%d","active":true}`+"\n", i)
	}
	return b.Bytes()
}

func gzipBytes(t testing.TB, parts ...[]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	for _, p := range parts {
		_, err := zw.Write(p)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// truncatedGzip compresses 10 lines, flushes, notes the length, then adds
// 1000 more lines; cutting at the noted length leaves exactly 10 lines
// readable.
func truncatedGzip(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write(patientLines(1, 10))
	require.NoError(t, err)
	require.NoError(t, zw.Flush())
	cut := b.Len()
	_, err = zw.Write(patientLines(11, 1000))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()[:cut]
}

func wantPatients(from, n int, extra ...string) []string {
	var out []string
	for i := from; i < from+n; i++ {
		out = append(out, fmt.Sprintf("%d Patient/p%d", i, i))
	}
	return append(out, extra...)
}

func TestReadGzip(t *testing.T) {
	lines := patientLines(1, 5)
	corrupt := gzipBytes(t, lines)
	corrupt[len(corrupt)-8] ^= 0xff // CRC-32 of the trailer
	tests := []struct {
		name  string
		file  string
		input []byte
		want  []string
	}{
		{"ndjson.gz", "a.ndjson.gz", gzipBytes(t, lines), wantPatients(1, 5)},
		{"upper-case suffix", "a.NDJSON.GZ", gzipBytes(t, lines), wantPatients(1, 5)},
		{"gzip content without .gz name", "a.ndjson", gzipBytes(t, lines), wantPatients(1, 5)},
		{"concatenated gzip members", "a.jsonl.gz", append(gzipBytes(t, patientLines(1, 2)), gzipBytes(t, patientLines(3, 3))...), wantPatients(1, 5)},
		{"cut short", "a.ndjson.gz", truncatedGzip(t),
			wantPatients(1, 10, "11! gzip: unexpected EOF (the compressed file is cut short)")},
		{"bad checksum", "a.ndjson.gz", corrupt, wantPatients(1, 5, "6! gzip: invalid checksum")},
		{"not gzip but named .gz", "a.ndjson.gz", lines,
			[]string{"0! not a gzip file (the name ends in .gz but the content does not start with the gzip magic bytes)"}},
		{"empty gzip stream", "a.ndjson.gz", gzipBytes(t), []string{"0! file is empty"}},
		{"empty file named .gz", "a.ndjson.gz", nil, []string{"0! file is empty"}},
		{"header only", "a.ndjson.gz", gzipBytes(t, lines)[:10], []string{"0! gzip: unexpected EOF (the compressed file is cut short)"}},
		{"bundle .json.gz", "b.json.gz", gzipBytes(t, []byte(`{"resourceType":"Bundle","type":"batch","entry":[{"resource":`+pat1+`}]}`)),
			[]string{"1 Patient/p1"}},
		{"bundle .json.gz cut short", "b.json.gz", truncatedBundleGzip(t),
			[]string{"3 Patient/p1", "4 Patient/p2", "5! gzip: unexpected EOF (the compressed file is cut short)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), tc.file, tc.input)
			require.Equal(t, tc.want, readAll(t, path).events())
		})
	}
}

// truncatedBundleGzip is a pretty-printed Bundle whose gzip stream stops
// after its second entry.
func truncatedBundleGzip(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte("{\"resourceType\": \"Bundle\", \"type\": \"collection\",\n\"entry\": [\n{\"resource\": " + pat1 + "},\n{\"resource\": " + pat2 + "},\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Flush())
	cut := b.Len()
	_, err = zw.Write([]byte("{\"resource\": " + pat1 + "}\n]}\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()[:cut]
}
