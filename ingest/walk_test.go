package ingest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{
		"b/2.ndjson", "b/1.NDJSON.GZ", "b/3.ndjson.zst", "a.json", "a.json.gz", "c/d/e.jsonl", "c/d/e.jsonl.gz", "c/d/e.jsonl.zst",
		"notes.txt", "data.gz", "x.ndjson.bak", ".hidden.ndjson", ".git/objects/o.json", "b/.DS_Store",
	} {
		full := filepath.Join(dir, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, nil, 0o644))
	}
	require.NoError(t, os.Symlink(filepath.Join(dir, "a.json"), filepath.Join(dir, "link.json")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "c"), filepath.Join(dir, "linkdir")))
	j := func(p string) string { return filepath.Join(dir, p) }

	tests := []struct {
		name    string
		paths   []string
		files   []string
		skipped []string
		wantErr string
	}{
		{name: "directory, recursive and sorted", paths: []string{dir},
			files:   []string{j("a.json"), j("a.json.gz"), j("b/1.NDJSON.GZ"), j("b/2.ndjson"), j("b/3.ndjson.zst"), j("link.json")},
			skipped: []string{j("c/d/e.jsonl"), j("c/d/e.jsonl.gz"), j("c/d/e.jsonl.zst"), j("data.gz"), j("notes.txt"), j("x.ndjson.bak")}},
		{name: "files given directly, duplicates removed", paths: []string{j("b/2.ndjson"), j("notes.txt"), j("b/2.ndjson"), j(".hidden.ndjson")},
			files: []string{j(".hidden.ndjson"), j("b/2.ndjson")}, skipped: []string{j("notes.txt")}},
		{name: "directory and a file in it", paths: []string{j("c"), j("c/d/e.jsonl")},
			files: []string{j("c/d/e.jsonl")}, skipped: []string{j("c/d/e.jsonl.gz"), j("c/d/e.jsonl.zst")}},
		{name: "glob of files", paths: []string{j("b/*.ndjson*"), j("*.txt")},
			files: []string{j("b/2.ndjson"), j("b/3.ndjson.zst")}, skipped: []string{j("notes.txt")}},
		{name: "glob matching a directory", paths: []string{j("c/*")},
			skipped: []string{j("c/d/e.jsonl"), j("c/d/e.jsonl.gz"), j("c/d/e.jsonl.zst")}},
		{name: "glob matching nothing", paths: []string{j("b/*.csv")}, wantErr: `ingest: walk: no files match "` + j("b/*.csv") + `"`},
		{name: "bad glob", paths: []string{j("b/[")}, wantErr: `ingest: walk: pattern "` + j("b/[") + `": syntax error in pattern`},
		{name: "S3 URI", paths: []string{"s3://bucket/x"}, wantErr: "ingest: walk: s3://bucket/x: S3 URIs are read by Import, not Walk"},
		{name: "missing path", paths: []string{j("nope")}, wantErr: "ingest: walk: stat " + j("nope") + ": no such file or directory"},
		{name: "nothing", paths: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files, skipped, err := Walk(tc.paths)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.files, files)
			require.Equal(t, tc.skipped, skipped)
		})
	}
}
