package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeFhirlake writes a shell script standing in for the fhirlake binary:
// it records its arguments and FHIRLAKE_CPUPROFILE, then runs body.
func fakeFhirlake(t *testing.T, body string) (bin, record string) {
	t.Helper()
	dir := t.TempDir()
	bin, record = filepath.Join(dir, "fhirlake"), filepath.Join(dir, "record")
	script := "#!/bin/sh\necho \"$@ profile=$FHIRLAKE_CPUPROFILE\" > " + record + "\n" + body + "\n"
	require.NoError(t, os.WriteFile(bin, []byte(script), 0o755))
	return bin, record
}

func TestRunImport(t *testing.T) {
	t.Setenv(profileEnv, "/inherited.pprof")
	env := &Env{NDJSON: "/data/ndjson", Patients: 7}
	env.Data.Resources = map[string]int{"Patient": 7, "Observation": 5}
	tests := []struct {
		name       string
		body       string
		profileDir string
		wantRecord string
		wantErr    string
	}{
		{"ok", `echo "files: 2, resources: 12, rejected: 0, 1.0 MB in 0.10s"`, "",
			"import --data DIR --datastore bench /data/ndjson profile=\n", ""},
		{"profile", `echo "files: 2, resources: 12, rejected: 0"`, "/prof",
			"import --data DIR --datastore bench /data/ndjson profile=/prof/import-7patients.pprof\n", ""},
		{"missing resources", `echo "files: 2, resources: 11, rejected: 1"`, "", "", "loaded 11 resources and rejected 1; 12 were generated"},
		{"failure", "echo boom >&2; exit 3", "", "", "exit status 3\nboom"},
		{"no summary", "echo hello", "", "", "no summary line"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin, record := fakeFhirlake(t, tc.body)
			env.Fhirlake, env.ProfileDir = []string{bin}, tc.profileDir
			dir := filepath.Join(t.TempDir(), "lake")
			run, err := importFresh(context.Background(), env, dir)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, 12, run.Resources)
			require.Positive(t, run.Elapsed)
			got, err := os.ReadFile(record)
			require.NoError(t, err)
			require.Equal(t, strings.Replace(tc.wantRecord, "DIR", dir, 1), string(got))
		})
	}
}

func TestParseStages(t *testing.T) {
	out := []byte("files: 11, resources: 6835, rejected: 0, normalized: 53, 5.6 MB in 1.22s (5597 resources/s)\n" +
		"stages (s): read 0.41, normalize 0.05, write 0.90, resolve 0.01, views 1.10 (read, normalize and write overlap)\n")
	require.Equal(t, map[string]float64{"read": 0.41, "normalize": 0.05, "write": 0.9, "resolve": 0.01, "views": 1.1}, parseStages(out))
	require.Nil(t, parseStages([]byte("files: 1, resources: 1, rejected: 0\n")))
}
