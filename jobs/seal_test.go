package jobs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/internal/sealed"
)

var (
	jobKey   = []byte("jobs-seal-key-jobs-seal-key-32b!")
	wrongKey = []byte("not-the-jobs-key-of-thirty-two!!")
)

// secrets are distinctive values of the rejected records: a name, an
// identifier, an address and a phone number.
var secrets = []string{"Zebulonski-Quartermain", "MRN-7c1d-4711", "77 Quillfeather Lane", "+1-555-0199-4242"}

// secretInput writes an NDJSON file whose records holding secrets are
// all rejected (broken JSON, no resourceType), and one good record.
func secretInput(t *testing.T) string {
	return writeFile(t, t.TempDir(), "people.ndjson",
		`{"resourceType":"Patient","id":"ok1"}`,
		`{"resourceType":"Patient","id":"p1","name":[{"family":"Zebulonski-Quartermain"}],"identifier":[{"value":"MRN-7c1d-4711"}]`,
		`{"id":"p2","address":[{"line":["77 Quillfeather Lane"]}],"telecom":[{"value":"+1-555-0199-4242"}]}`)
}

// withKey returns l's options with a seal key for every data store.
func withKey(opts Options, k []byte) Options {
	opts.SealKey = func(string) ([]byte, error) { return k, nil }
	return opts
}

// readReport returns a function that reads a whole report, to be called
// with what Report returns: readReport(t)(m.Report(ds, id)).
func readReport(t *testing.T) func(io.ReadCloser, error) string {
	return func(rc io.ReadCloser, err error) string {
		t.Helper()
		require.NoError(t, err)
		defer rc.Close()
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		return string(b)
	}
}

// TestSealedJobFiles runs a job that rejects records holding secrets with
// and without a seal key, scans every byte under the data store's
// imports folder, and reads the job and its report back with the key,
// without it and with a wrong one.
func TestSealedJobFiles(t *testing.T) {
	for _, key := range [][]byte{nil, jobKey} {
		t.Run("sealed="+strconv.FormatBool(key != nil), func(t *testing.T) {
			l := newLake(t)
			m, err := Open(withKey(l.options(l.importRunner), key))
			require.NoError(t, err)
			j, err := m.Submit("demo", []string{secretInput(t)}, Job{})
			require.NoError(t, err)
			j = wait(t, m, j)
			require.Equal(t, CompletedWithErrors, j.State, j.Error)
			require.Equal(t, 2, j.Progress.Rejected)

			found := scanFiles(t, filepath.Join(l.dir, "demo", "imports"), secrets)
			if key == nil {
				require.ElementsMatch(t, secrets, found, "the plaintext report quotes the records")
			} else {
				require.Empty(t, found, "plaintext found in a sealed job folder")
			}
			report := readReport(t)(m.Report("demo", j.ID))
			require.Equal(t, 2, strings.Count(report, "\n"))
			for _, s := range secrets {
				require.Contains(t, report, s)
			}
			require.NoError(t, m.Close())

			folder := Folder{Dir: filepath.Join(l.dir, "demo"), SealKey: key}
			got, err := folder.Get(j.ID)
			require.NoError(t, err)
			require.Equal(t, j.Progress, got.Progress)
			require.Equal(t, report, readReport(t)(folder.Report(got)))
			if key == nil {
				return
			}
			_, err = Get(folder.Dir, j.ID)
			require.ErrorIs(t, err, ErrEncrypted)
			listed, err := List(folder.Dir)
			require.ErrorIs(t, err, ErrEncrypted)
			require.Empty(t, listed)
			_, err = Folder{Dir: folder.Dir, SealKey: wrongKey}.Get(j.ID)
			require.ErrorIs(t, err, sealed.ErrAuth)
			_, err = Folder{Dir: folder.Dir}.Report(got)
			require.ErrorIs(t, err, ErrEncrypted)
			rc, err := Folder{Dir: folder.Dir, SealKey: wrongKey}.Report(got)
			require.NoError(t, err)
			_, err = io.ReadAll(rc)
			require.ErrorIs(t, err, sealed.ErrAuth)
			require.NoError(t, rc.Close())

			// A Manager opened again with the key finds the job.
			m2, err := Open(withKey(l.options(l.importRunner), key))
			require.NoError(t, err)
			defer m2.Close()
			require.Len(t, m2.List("demo"), 1)
		})
	}
}

// TestPlainJobFolderStaysReadable writes a job without a key and reads it,
// and its report, through a Manager that has one.
func TestPlainJobFolderStaysReadable(t *testing.T) {
	l := newLake(t)
	m, err := Open(l.options(l.importRunner))
	require.NoError(t, err)
	j, err := m.Submit("demo", []string{secretInput(t)}, Job{})
	require.NoError(t, err)
	j = wait(t, m, j)
	require.NoError(t, m.Close())
	want, err := os.ReadFile(j.ErrorReport)
	require.NoError(t, err)

	m, err = Open(withKey(l.options(l.importRunner), jobKey))
	require.NoError(t, err)
	defer m.Close()
	got, err := m.Get("demo", j.ID)
	require.NoError(t, err)
	require.Equal(t, j.Progress, got.Progress)
	require.Equal(t, string(want), readReport(t)(m.Report("demo", j.ID)))
}

// TestSealedReportWhileRunning reads the sealed report of a running job:
// the complete lines of its complete chunks, and the whole report once
// the job has ended.
func TestSealedReportWhileRunning(t *testing.T) {
	l := newLake(t)
	const n = 1000 // about 300 bytes a line: several 64 KiB chunks
	release := make(chan struct{})
	written := make(chan struct{})
	run := func(ctx context.Context, j Job, run *Run) error {
		for i := range n {
			run.Reject(Reject{Source: "/in/x.ndjson", Line: i + 1, Reason: "broken", Fragment: strings.Repeat("z", 180)})
		}
		run.Progress(Progress{Rejected: n})
		close(written)
		<-release
		return nil
	}
	m, err := Open(withKey(l.options(run), jobKey))
	require.NoError(t, err)
	defer m.Close()
	j, err := m.Submit("demo", []string{"/in/x.ndjson"}, Job{})
	require.NoError(t, err)
	<-written

	partial := readReport(t)(m.Report("demo", j.ID))
	lines := strings.Count(partial, "\n")
	require.Greater(t, lines, 0)
	require.Less(t, lines, n)
	require.True(t, strings.HasSuffix(partial, "\n"))
	sc := bufio.NewScanner(strings.NewReader(partial))
	for i := 1; sc.Scan(); i++ {
		var oo reportLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &oo))
		require.Equal(t, []string{fmt.Sprintf("/in/x.ndjson:%d", i)}, oo.Issue[0].Location)
	}

	close(release)
	j = wait(t, m, j)
	require.Equal(t, CompletedWithErrors, j.State)
	full := readReport(t)(m.Report("demo", j.ID))
	require.Equal(t, n, strings.Count(full, "\n"))
	require.True(t, strings.HasPrefix(full, partial))
}

// scanFiles returns the needles found in the bytes of any file under dir.
func scanFiles(t *testing.T, dir string, needles []string) []string {
	t.Helper()
	seen := map[string]bool{}
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, s := range needles {
			if bytes.Contains(b, []byte(s)) {
				seen[s] = true
			}
		}
		return nil
	}))
	require.GreaterOrEqual(t, files, 2, "job.json and the report")
	var out []string
	for _, s := range needles {
		if seen[s] {
			out = append(out, s)
		}
	}
	return out
}
