package resolve_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/ingest"
	"github.com/fhirlake/fhirlake/ingest/resolve"
	"github.com/fhirlake/fhirlake/internal/testutil"
	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

// TestSyntheaSmall imports all of ../shared/data/synthea-small (patient
// Bundles with their side files, and the bulk NDJSON) through the sink,
// then imports it again.
func TestSyntheaSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 13k resources")
	}
	dir := testutil.SharedDir(t, "data/synthea-small")
	dups, orig := duplicates(t, dir)
	paths := []string{filepath.Join(dir, "bundles"), filepath.Join(dir, "bulk-ndjson"), dups}
	want := expectedCounts(t, paths)
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "fhir.db"), store.Options{NoSync: true})
	require.NoError(t, err)
	defer func() { require.NoError(t, st.Close()) }()

	sink := resolve.New(st, resolve.Options{Source: "synthea-small"})
	sum, err := ingest.Import(ctx, sink, paths, ingest.Options{})
	require.NoError(t, err)
	require.Zero(t, sum.Rejected)
	rep, err := sink.Finish(ctx)
	require.NoError(t, err)
	require.Zero(t, rep.Unresolved, "%v", rep.Warnings)
	require.Zero(t, rep.Ambiguous, "%v", rep.Warnings)
	require.Positive(t, rep.Resolved)
	require.Positive(t, rep.Retried, "Encounter.000 comes before Organization.000")
	require.Equal(t, 1, rep.MergeCount, "%v", rep.Merges)
	m := rep.Merges[0]
	require.ElementsMatch(t, []string{"dup-org-1", orig}, []string{m.Survivor, m.Merged}, "either may come first")
	require.Equal(t, "Organization", m.Type)

	counts, err := st.Counts(ctx)
	require.NoError(t, err)
	require.Equal(t, want, counts)
	checkStored(t, st)

	// The same import again: no new version anywhere.
	seq, err := st.Seq(ctx)
	require.NoError(t, err)
	again := resolve.New(st, resolve.Options{})
	sum, err = ingest.Import(ctx, again, paths, ingest.Options{})
	require.NoError(t, err)
	_, err = again.Finish(ctx)
	require.NoError(t, err)
	require.Empty(t, sum.ChangedTypes())
	seq2, err := st.Seq(ctx)
	require.NoError(t, err)
	require.Equal(t, seq, seq2)
}

// duplicates writes, in a folder read after the others, a copy of the
// first bulk Organization under another id, and an Encounter referring to
// that copy; it returns the folder and the id of the original.
func duplicates(t *testing.T, dir string) (string, string) {
	f, err := os.Open(filepath.Join(dir, "bulk-ndjson", "Organization.000.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	require.True(t, sc.Scan())
	var org map[string]any
	require.NoError(t, json.Unmarshal(sc.Bytes(), &org))
	orig, _ := org["id"].(string)
	org["id"] = "dup-org-1"
	org["name"] = "a different name, dropped by the merge"
	line, err := json.Marshal(org)
	require.NoError(t, err)
	enc := `{"resourceType":"Encounter","id":"dup-enc-1","status":"finished","class":{"code":"AMB"},"serviceProvider":{"reference":"Organization/dup-org-1"}}`
	out := filepath.Join(t.TempDir(), "zz-duplicates")
	require.NoError(t, os.Mkdir(out, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(out, "dups.ndjson"), append(append(line, '\n'), enc+"\n"...), 0o644))
	return out, orig
}

// conditionalRef matches a reference still in search form.
var conditionalRef = regexp.MustCompile(`"reference"\s*:\s*"[A-Z][A-Za-z]*\?`)

// literalRef matches a literal reference to a shared resource.
var literalRef = regexp.MustCompile(`"reference"\s*:\s*"(Organization|Practitioner|Location)/([^"]+)"`)

// checkStored asserts that no conditional reference is left, that every
// reference to an Organization, Practitioner or Location names a stored
// one, and that their identifiers each belong to one resource.
func checkStored(t *testing.T, st *store.Store) {
	ctx := context.Background()
	types, err := st.Types(ctx)
	require.NoError(t, err)
	owners := map[string]map[string]bool{} // Type|system|value -> ids
	for _, typ := range types {
		err := st.Scan(ctx, typ, func(r store.Resource) error {
			require.False(t, conditionalRef.Match(r.Body), "%s/%s: %s", typ, r.ID, conditionalRef.Find(r.Body))
			for _, m := range literalRef.FindAllSubmatch(r.Body, -1) {
				_, err := st.Read(ctx, string(m[1]), string(m[2]))
				require.NoError(t, err, "%s/%s refers to %s/%s", typ, r.ID, m[1], m[2])
			}
			if typ != "Organization" && typ != "Practitioner" {
				return nil
			}
			var res struct {
				Identifier []struct{ System, Value string }
			}
			require.NoError(t, json.Unmarshal(r.Body, &res))
			for _, x := range res.Identifier {
				k := typ + "|" + x.System + "|" + x.Value
				if owners[k] == nil {
					owners[k] = map[string]bool{}
				}
				owners[k][r.ID] = true
			}
			return nil
		})
		require.NoError(t, err)
	}
	require.NotEmpty(t, owners)
	for k, ids := range owners {
		require.Len(t, ids, 1, k)
	}
}

// expectedCounts reads the files without the ingest package and counts
// the resources by type that should be stored: resources of a type are
// one when they share an id or, for the types deduplicated, a business
// identifier (system|value), transitively.
func expectedCounts(t *testing.T, paths []string) map[string]int {
	uf := unionFind{}
	resources := map[string]string{} // node -> type, resource nodes only
	add := func(raw json.RawMessage) {
		var r struct {
			ResourceType, ID string
			Identifier       []struct{ System, Value string }
		}
		require.NoError(t, json.Unmarshal(raw, &r))
		node := r.ResourceType + "/" + r.ID
		resources[node] = r.ResourceType
		uf.find(node)
		for _, x := range r.Identifier {
			if x.System != "" && x.Value != "" && slices.Contains(resolve.DefaultDedupTypes, r.ResourceType) {
				uf.union(node, r.ResourceType+"?"+x.System+"|"+x.Value)
			}
		}
	}
	for _, dir := range paths {
		files, err := filepath.Glob(filepath.Join(dir, "*"))
		require.NoError(t, err)
		for _, f := range files {
			switch {
			case strings.HasSuffix(f, ".json"):
				data, err := os.ReadFile(f)
				require.NoError(t, err)
				var b struct {
					Entry []struct{ Resource json.RawMessage }
				}
				require.NoError(t, json.Unmarshal(data, &b))
				for _, e := range b.Entry {
					add(e.Resource)
				}
			case strings.HasSuffix(f, ".ndjson"):
				fh, err := os.Open(f)
				require.NoError(t, err)
				sc := bufio.NewScanner(fh)
				sc.Buffer(nil, 64<<20)
				for sc.Scan() {
					add(json.RawMessage(sc.Bytes()))
				}
				require.NoError(t, sc.Err())
				require.NoError(t, fh.Close())
			}
		}
	}
	groups := map[string]string{} // root -> type
	for node, typ := range resources {
		groups[uf.find(node)] = typ
	}
	counts := map[string]int{}
	for _, typ := range groups {
		counts[typ]++
	}
	return counts
}

// unionFind groups strings.
type unionFind map[string]string

func (u unionFind) find(x string) string {
	p, ok := u[x]
	if !ok {
		u[x] = x
		return x
	}
	if p == x {
		return x
	}
	r := u.find(p)
	u[x] = r
	return r
}

func (u unionFind) union(a, b string) { u[u.find(a)] = u.find(b) }
