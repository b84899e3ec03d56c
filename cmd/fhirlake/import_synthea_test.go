package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/internal/testutil"
	"github.com/fhirlake/fhirlake/store"
)

// TestImportSyntheaSmall imports all of ../shared/data/synthea-small, the
// patient Bundles with their hospital and practitioner side files and the
// bulk NDJSON export, with `fhirlake import`: no conditional reference is
// left, every Organization and Practitioner identifier belongs to one
// resource, and importing it all again writes nothing.
func TestImportSyntheaSmall(t *testing.T) {
	ctx := context.Background()
	src := testutil.SharedDir(t, "data/synthea-small")
	data := filepath.Join(t.TempDir(), "data")
	imp := func() string {
		var out bytes.Buffer
		require.NoError(t, run(ctx, []string{"import", "--data", data, "--datastore", "synthea", src}, &out, &out), out.String())
		return out.String()
	}
	first := imp()
	require.Contains(t, first, "rejected: 0")
	require.Regexp(t, `stages \(s\): read [0-9.]+, normalize [0-9.]+, write [0-9.]+, resolve [0-9.]+, (link [0-9.]+, )?views [0-9.]+ `, first)

	l, err := openLake(data, "test")
	require.NoError(t, err)
	st, err := l.store("synthea")
	require.NoError(t, err)
	types, err := st.Types(ctx)
	require.NoError(t, err)
	conditional := regexp.MustCompile(`"reference":"[A-Za-z]+\?`)
	owners := map[string]map[string]string{} // type -> system|value -> id
	total := 0
	for _, typ := range types {
		require.NoError(t, st.Scan(ctx, typ, func(r store.Resource) error {
			total++
			require.False(t, conditional.Match(r.Body), "%s/%s keeps a conditional reference: %s", typ, r.ID, r.Body)
			if typ != "Organization" && typ != "Practitioner" {
				return nil
			}
			var res struct {
				Identifier []struct{ System, Value string }
			}
			require.NoError(t, json.Unmarshal(r.Body, &res))
			if owners[typ] == nil {
				owners[typ] = map[string]string{}
			}
			for _, id := range res.Identifier {
				key := id.System + "|" + id.Value
				if other, ok := owners[typ][key]; ok {
					t.Errorf("%s identifier %s belongs to %s and %s", typ, key, other, r.ID)
				}
				owners[typ][key] = r.ID
			}
			return nil
		}))
	}
	require.NotEmpty(t, owners["Organization"])
	require.NotEmpty(t, owners["Practitioner"])
	seq, err := st.Seq(ctx)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	t.Logf("%d resources; %d Organization and %d Practitioner identifiers", total, len(owners["Organization"]), len(owners["Practitioner"]))

	imp()
	l, err = openLake(data, "test")
	require.NoError(t, err)
	defer l.Close()
	st, err = l.store("synthea")
	require.NoError(t, err)
	again, err := st.Seq(ctx)
	require.NoError(t, err)
	require.Equal(t, seq, again, "importing the same files again writes no version")
}
