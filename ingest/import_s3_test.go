package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/ingest/remote/s3test"
	"github.com/fhirlake/fhirlake/store"
	"github.com/fhirlake/fhirlake/synth"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"
)

// exportTree writes a bulk-export-like folder to dir: synthetic NDJSON
// spread over plain, .gz and .zst files, synthetic Bundles (one of them
// zstd-compressed), a file with bad lines, a corrupt .zst file and files
// an import skips or ignores. It returns the relative paths written.
func exportTree(tb testing.TB, dir string, patients int) []string {
	tb.Helper()
	gen := tb.TempDir()
	ctx := context.Background()
	_, err := synth.Generate(ctx, synth.Options{Patients: patients, Seed: 7, Out: filepath.Join(gen, "nd")})
	require.NoError(tb, err)
	_, err = synth.Generate(ctx, synth.Options{Patients: 2, Seed: 8, Format: synth.FormatBundle, Out: filepath.Join(gen, "bundle")})
	require.NoError(tb, err)

	files := map[string][]byte{}
	nd, err := filepath.Glob(filepath.Join(gen, "nd", "*.ndjson"))
	require.NoError(tb, err)
	for i, f := range nd {
		data, err := os.ReadFile(f)
		require.NoError(tb, err)
		name := filepath.Base(f)
		switch i % 3 {
		case 0:
			files["ndjson/"+name] = data
		case 1:
			files["ndjson/"+name+".gz"] = gzipBytes(tb, data)
		default:
			files["ndjson/"+name+".zst"] = zstdBytes(tb, data)
		}
	}
	bundles, err := filepath.Glob(filepath.Join(gen, "bundle", "*.json"))
	require.NoError(tb, err)
	for i, f := range bundles {
		data, err := os.ReadFile(f)
		require.NoError(tb, err)
		if i == 0 {
			files["bundles/"+filepath.Base(f)+".zst"] = zstdBytes(tb, data)
		} else {
			files["bundles/"+filepath.Base(f)] = data
		}
	}
	files["bad/lines.ndjson"] = []byte(`{"resourceType":"Patient","id":"ok1"}` + "\nnot json\n" + `{"resourceType":"Nope","id":"x"}` + "\n")
	files["bad/corrupt.ndjson.zst"] = append(append([]byte{}, zstdMagic...), "garbage after the magic"...)
	files["bad/notzstd.ndjson.zst"] = []byte(`{"resourceType":"Patient","id":"p"}` + "\n")
	files["bad/cut.ndjson.zst"] = truncatedZstd(tb)
	files["notes.txt"] = []byte("read me")
	files["log.jsonl"] = []byte(`{"op":"export"}` + "\n")
	files[".hidden/x.ndjson"] = []byte("ignored")

	var rel []string
	for name, data := range files {
		full := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(tb, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(tb, os.WriteFile(full, data, 0o644))
		rel = append(rel, name)
	}
	sort.Strings(rel)
	return rel
}

func zstdBytes(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw, err := zstd.NewWriter(&b)
	require.NoError(tb, err)
	_, err = zw.Write(data)
	require.NoError(tb, err)
	require.NoError(tb, zw.Close())
	return b.Bytes()
}

// truncatedZstd compresses 10 lines, flushes, notes the length, then adds
// 1000 more lines; cutting at the noted length leaves exactly 10 lines
// readable.
func truncatedZstd(tb testing.TB) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw, err := zstd.NewWriter(&b)
	require.NoError(tb, err)
	_, err = zw.Write(patientLines(1, 10))
	require.NoError(tb, err)
	require.NoError(tb, zw.Flush())
	cut := b.Len()
	_, err = zw.Write(patientLines(11, 1000))
	require.NoError(tb, err)
	require.NoError(tb, zw.Close())
	return b.Bytes()[:cut]
}

// uploadTree copies the files rel of dir to bucket under prefix.
func uploadTree(tb testing.TB, srv *s3test.Server, dir, bucket, prefix string, rel []string) {
	tb.Helper()
	for _, name := range rel {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		require.NoError(tb, err)
		srv.Put(tb, bucket, prefix+name, data)
	}
}

// openStore opens an empty raw store in a temporary folder.
func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(filepath.Join(tb.TempDir(), "raw.db"), store.Options{NoSync: true})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

// importResult is an import's outcome with file names made relative to
// root, so local and S3 imports of the same tree compare equal.
type importResult struct {
	Files, Resources, Rejected int
	Bytes                      int64
	ByType                     map[string]TypeCounts
	Skipped, Rejects           []string
	Stored                     map[string]int // type/id -> body length
}

func importTree(t *testing.T, root string, paths []string) importResult {
	t.Helper()
	ctx := context.Background()
	st := openStore(t)
	var rejects []string
	sum, err := Import(ctx, st, paths, Options{BatchSize: 100, Reject: func(e *RecordError) {
		rejects = append(rejects, strings.TrimPrefix(e.Error(), root))
	}})
	require.NoError(t, err)
	res := importResult{Files: sum.Files, Resources: sum.Resources(), Rejected: sum.Rejected, Bytes: sum.Bytes,
		ByType: map[string]TypeCounts{}, Rejects: rejects, Stored: map[string]int{}}
	for typ, c := range sum.ByType {
		res.ByType[typ] = *c
	}
	for _, s := range sum.Skipped {
		res.Skipped = append(res.Skipped, strings.TrimPrefix(s, root))
	}
	types, err := st.Types(ctx)
	require.NoError(t, err)
	for _, typ := range types {
		require.NoError(t, st.Scan(ctx, typ, func(r store.Resource) error {
			res.Stored[r.Type+"/"+r.ID] = len(r.Body)
			return nil
		}))
	}
	return res
}

// TestImportS3 imports the same export tree from a local folder and from
// a real S3-compatible server, and requires the same outcome.
func TestImportS3(t *testing.T) {
	srv := s3test.Start(t)
	dir := t.TempDir()
	rel := exportTree(t, dir, 5)
	srv.CreateBucket(t, "lake")
	uploadTree(t, srv, dir, "lake", "exports/2026/", rel)

	local := importTree(t, dir+string(filepath.Separator), []string{dir})
	remote := importTree(t, "s3://lake/exports/2026/", []string{"s3://lake/exports/2026"})
	require.Equal(t, local, remote)

	require.Equal(t, []string{"log.jsonl", "notes.txt"}, remote.Skipped)
	require.Equal(t, []string{
		"bad/corrupt.ndjson.zst: zstd: unknown dictionary",
		"bad/cut.ndjson.zst:11: zstd: unexpected EOF (the compressed file is cut short)",
		"bad/lines.ndjson:2: invalid JSON: invalid character 'o' in literal null at column 2",
		`bad/lines.ndjson:3: unknown resourceType "Nope" (not a FHIR R4 resource type)`,
		"bad/notzstd.ndjson.zst: not a zstd file (the name ends in .zst but the content does not start with the zstd magic bytes)",
	}, remote.Rejects)
	require.Greater(t, remote.Resources, 100)
	require.Equal(t, len(rel)-3, remote.Files) // all but notes.txt, log.jsonl and .hidden/x.ndjson
}

// TestImportS3Errors covers the paths that stop an import before it
// starts: each error names the URI or pattern.
func TestImportS3Errors(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "lake")
	srv.Put(t, "lake", "data/p.ndjson", []byte(pat1+"\n"))
	srv.CreateUser(t, "other", "other-secret")
	dir := t.TempDir()
	tests := []struct {
		name    string
		paths   []string
		user    string // import as this user instead of root
		wantErr string
	}{
		{name: "missing bucket", paths: []string{"s3://nobucket/data"},
			wantErr: "ingest: remote: list s3://nobucket/data: NoSuchBucket: The specified bucket does not exist."},
		{name: "prefix without objects", paths: []string{"s3://lake/dat"},
			wantErr: "ingest: remote: list s3://lake/dat: no objects found"},
		{name: "access denied", paths: []string{"s3://lake/data"}, user: "other",
			wantErr: "ingest: remote: list s3://lake/data: AccessDenied: Access Denied."},
		{name: "no bucket name", paths: []string{"s3://"}, wantErr: `ingest: remote: "s3://" has no bucket name`},
		{name: "glob matching nothing", paths: []string{"s3://lake/data", filepath.Join(dir, "*.ndjson")},
			wantErr: `ingest: walk: no files match "` + filepath.Join(dir, "*.ndjson") + `"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.user != "" {
				srv.UseCredentials(t, tc.user, tc.user+"-secret")
			}
			_, err := Import(context.Background(), openStore(t), tc.paths, Options{})
			require.EqualError(t, err, tc.wantErr)
		})
	}
}

// TestImportMixed reads local files and S3 objects in one import, local
// files first, and reports an object's bad line as s3://bucket/key:line.
func TestImportMixed(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "lake")
	srv.Put(t, "lake", "b.ndjson", []byte(pat2+"\n{\n"))
	srv.Put(t, "lake", "a.ndjson.zst", zstdBytes(t, []byte(pat1+"\n")))
	local := writeFile(t, t.TempDir(), "c.ndjson", []byte(`{"resourceType":"Patient","id":"p3"}`+"\n[]\n"))
	var rejects []string
	var last Progress
	st := openStore(t)
	sum, err := Import(context.Background(), st, []string{"s3://lake/", local}, Options{
		Progress: func(p Progress) { last = p },
		Reject:   func(e *RecordError) { rejects = append(rejects, e.Error()) },
	})
	require.NoError(t, err)
	require.Equal(t, 3, sum.Resources())
	require.Equal(t, 3, sum.Files)
	require.Equal(t, Progress{Files: 3, FilesTotal: 3, BytesRead: sum.Bytes, BytesTotal: sum.Bytes, Records: 3, Rejected: 2,
		ByType: map[string]TypeCounts{"Patient": {Created: 3}}}, last)
	require.Equal(t, []string{
		local + ":2: not a JSON object but an array",
		"s3://lake/b.ndjson:2: invalid JSON: unexpected end of input at column 2",
	}, rejects)
	var ids []string
	require.NoError(t, st.Scan(context.Background(), "Patient", func(r store.Resource) error {
		ids = append(ids, r.ID)
		return nil
	}))
	require.ElementsMatch(t, []string{"p1", "p2", "p3"}, ids)
}
