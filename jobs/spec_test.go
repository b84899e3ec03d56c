package jobs

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSubmitSpec checks that a job's CSV mapping and normalisation switch
// are kept in job.json, the mapping as a copy in the job's folder that
// outlives the original file, so that a resumed job reads the same
// mapping.
func TestSubmitSpec(t *testing.T) {
	const doc = "name: m\nresources: []\n"
	for _, tc := range []struct {
		name          string
		mapping       bool
		normalize     bool
		wantErr       bool
		removeMapping bool
	}{
		{name: "mapping and normalize", mapping: true, normalize: true},
		{name: "mapping removed after submit", mapping: true, removeMapping: true},
		{name: "neither"},
		{name: "missing mapping file", mapping: true, removeMapping: true, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLake(t)
			seen := make(chan Job, 1)
			m, err := Open(l.options(func(_ context.Context, j Job, _ *Run) error {
				seen <- j
				return nil
			}))
			require.NoError(t, err)
			defer m.Close()
			tmpl := Job{Normalize: tc.normalize}
			if tc.mapping {
				tmpl.Mapping = filepath.Join(t.TempDir(), "labs.json")
				require.NoError(t, os.WriteFile(tmpl.Mapping, []byte(doc), 0o600))
				if tc.wantErr {
					require.NoError(t, os.Remove(tmpl.Mapping))
				}
			}
			j, err := m.Submit("demo", []string{"/in"}, tmpl)
			if tc.wantErr {
				require.ErrorContains(t, err, "jobs: mapping:")
				require.Empty(t, m.List("demo"))
				return
			}
			require.NoError(t, err)
			if tc.removeMapping {
				require.NoError(t, os.Remove(tmpl.Mapping))
			}
			ran := <-seen
			wait(t, m, j)
			require.Equal(t, tc.normalize, ran.Normalize)
			onDisk, err := Get(filepath.Join(l.dir, "demo"), j.ID)
			require.NoError(t, err)
			require.Equal(t, tc.normalize, onDisk.Normalize)
			if !tc.mapping {
				require.Empty(t, ran.Mapping)
				require.Empty(t, onDisk.Mapping)
				return
			}
			require.Equal(t, filepath.Join(l.dir, "demo", "imports", j.ID, MappingFile), ran.Mapping)
			require.Equal(t, ran.Mapping, onDisk.Mapping)
			got, err := os.ReadFile(onDisk.Mapping)
			require.NoError(t, err)
			require.Equal(t, doc, string(got))
		})
	}
}
