package ingest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadZstd(t *testing.T) {
	lines := patientLines(1, 5)
	zs := zstdBytes(t, lines)
	corrupt := append([]byte{}, zs...)
	corrupt[len(corrupt)-2] ^= 0xff // inside the content checksum
	tests := []struct {
		name  string
		file  string
		input []byte
		want  []string
	}{
		{"ndjson.zst", "a.ndjson.zst", zs, wantPatients(1, 5)},
		{"upper-case suffix", "a.NDJSON.ZST", zs, wantPatients(1, 5)},
		{"zstd content without .zst name", "a.ndjson", zs, wantPatients(1, 5)},
		{"concatenated frames", "a.jsonl.zst", append(zstdBytes(t, patientLines(1, 2)), zstdBytes(t, patientLines(3, 3))...), wantPatients(1, 5)},
		{"cut short", "a.ndjson.zst", truncatedZstd(t),
			wantPatients(1, 10, "11! zstd: unexpected EOF (the compressed file is cut short)")},
		{"bad checksum", "a.ndjson.zst", corrupt, []string{"0! zstd: CRC check failed"}},
		{"not zstd but named .zst", "a.ndjson.zst", lines,
			[]string{"0! not a zstd file (the name ends in .zst but the content does not start with the zstd magic bytes)"}},
		{"empty zstd stream", "a.ndjson.zst", zstdBytes(t, nil), []string{"0! file is empty"}},
		{"empty file named .zst", "a.ndjson.zst", nil, []string{"0! file is empty"}},
		{"bundle .json.zst", "b.json.zst", zstdBytes(t, []byte(`{"resourceType":"Bundle","type":"batch","entry":[{"resource":`+pat1+`}]}`)),
			[]string{"1 Patient/p1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), tc.file, tc.input)
			require.Equal(t, tc.want, readAll(t, path).events())
		})
	}
}
