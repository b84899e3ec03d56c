package resolve

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

// openStore opens an empty store in a temporary folder.
func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "fhir.db"), store.Options{NoSync: true})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	return st
}

// inputs turns resource JSON into store inputs.
func inputs(t testing.TB, bodies ...string) []store.Input {
	t.Helper()
	out := make([]store.Input, len(bodies))
	for i, b := range bodies {
		var head struct{ ResourceType, ID string }
		require.NoError(t, json.Unmarshal([]byte(b), &head), b)
		out[i] = store.Input{Type: head.ResourceType, ID: head.ID, Body: []byte(b)}
	}
	return out
}

// read returns the stored resource as a map, nil if absent.
func read(t testing.TB, st *store.Store, typ, id string) map[string]any {
	t.Helper()
	r, err := st.Read(context.Background(), typ, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m))
	return m
}

// ref returns the reference string at a path of nested object keys.
func ref(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

const (
	orgA  = `{"resourceType":"Organization","id":"a","identifier":[{"system":"s","value":"1"}],"name":"A"}`
	orgB  = `{"resourceType":"Organization","id":"b","identifier":[{"system":"s","value":"1"}],"name":"B","telecom":[{"system":"phone","value":"555"}]}`
	orgC  = `{"resourceType":"Organization","id":"c","identifier":[{"system":"s","value":"1"}],"name":"C"}`
	encQ  = `{"resourceType":"Encounter","id":"e","status":"finished","class":{"code":"AMB"},"serviceProvider":{"reference":"Organization?identifier=s|1"}}`
	encB  = `{"resourceType":"Encounter","id":"e2","status":"finished","class":{"code":"AMB"},"serviceProvider":{"reference":"Organization/b"}}`
	encID = `{"resourceType":"Encounter","id":"e3","status":"finished","class":{"code":"AMB"},"serviceProvider":{"type":"Organization","identifier":{"system":"s","value":"1"}},"participant":[{"individual":{"identifier":{"value":"7"}}}]}`
)

func TestSinkRules(t *testing.T) {
	tests := []struct {
		name    string
		pre     []string   // written to the store directly first
		batches [][]string // then through the sink
		opts    Options
		check   func(t *testing.T, st *store.Store, rep Report)
		// updates marks imports that are not idempotent by nature (a
		// resource updated within them): the second run only has to end
		// in the same state.
		updates bool
	}{
		{
			name:    "conditional reference to a stored resource",
			pre:     []string{orgA},
			batches: [][]string{{encQ}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.Equal(t, "Organization/a", ref(read(t, st, "Encounter", "e"), "serviceProvider", "reference"))
				require.Equal(t, 1, rep.Resolved)
				require.Zero(t, rep.Unresolved)
			},
		},
		{
			name:    "conditional reference earlier in the same batch",
			batches: [][]string{{orgA, encQ}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.Equal(t, "Organization/a", ref(read(t, st, "Encounter", "e"), "serviceProvider", "reference"))
				require.Zero(t, rep.Retried)
			},
		},
		{
			name:    "target arrives later: resolved by Finish",
			batches: [][]string{{encQ}, {orgA}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.Equal(t, "Organization/a", ref(read(t, st, "Encounter", "e"), "serviceProvider", "reference"))
				require.Equal(t, 1, rep.Retried)
				require.Equal(t, map[string]int{"Encounter": 1}, rep.RetriedByType)
				require.Zero(t, rep.Unresolved)
				require.Empty(t, rep.Warnings)
			},
		},
		{
			name:    "unresolvable: kept and reported with its path",
			batches: [][]string{{encQ}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.Equal(t, "Organization?identifier=s|1", ref(read(t, st, "Encounter", "e"), "serviceProvider", "reference"))
				require.Equal(t, 1, rep.Unresolved)
				require.Equal(t, []Warning{{Type: "Encounter", ID: "e", Path: "Encounter.serviceProvider", Value: "Organization?identifier=s|1", Reason: ReasonUnresolved}}, rep.Warnings)
			},
		},
		{
			name:    "unresolvable with a full retry queue: reported at once",
			opts:    Options{MaxPending: 1},
			batches: [][]string{{encQ, strings.Replace(encQ, `"id":"e"`, `"id":"f"`, 1)}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.Equal(t, 2, rep.Unresolved)
				require.Len(t, rep.Warnings, 2)
				require.Equal(t, "f", rep.Warnings[0].ID)
			},
		},
		{
			name:    "ambiguous conditional reference",
			opts:    Options{NoDedup: true},
			batches: [][]string{{orgA, orgC, encQ}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.Equal(t, "Organization?identifier=s|1", ref(read(t, st, "Encounter", "e"), "serviceProvider", "reference"))
				require.Equal(t, ReasonAmbiguous, rep.Warnings[0].Reason)
				require.NotNil(t, read(t, st, "Organization", "c"))
			},
		},
		{
			name:    "identifier-only references",
			batches: [][]string{{orgA, encID}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				e := read(t, st, "Encounter", "e3")
				require.Equal(t, "Organization/a", ref(e, "serviceProvider", "reference"))
				require.Equal(t, "Organization", ref(e, "serviceProvider", "type"))
				require.Equal(t, 1, rep.Resolved)
				require.Equal(t, []Warning{{Type: "Encounter", ID: "e3", Path: "Encounter.participant[0].individual", Value: "identifier |7", Reason: ReasonNoType}}, rep.Warnings)
			},
		},
		{
			name:    "dedup: merged into the survivor, later references follow",
			batches: [][]string{{orgA}, {orgB, encB}},
			opts:    Options{Source: "job-1"},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.Nil(t, read(t, st, "Organization", "b"))
				a := read(t, st, "Organization", "a")
				require.Equal(t, "A", a["name"])
				require.Equal(t, []any{map[string]any{"system": "phone", "value": "555"}}, a["telecom"])
				require.Contains(t, ref(a, "meta", "tag"), map[string]any{"system": TagSystem, "code": TagMerged, "display": "Merged with duplicates by business identifier"})
				require.Equal(t, "Organization/a", ref(read(t, st, "Encounter", "e2"), "serviceProvider", "reference"))
				require.Equal(t, []Merge{{Type: "Organization", Survivor: "a", Merged: "b", Identifier: "s|1", Source: "job-1"}}, rep.Merges)
				require.Equal(t, 1, rep.MergeCount)
			},
		},
		{
			name:    "dedup within one batch",
			batches: [][]string{{orgA, orgB, orgC}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.Nil(t, read(t, st, "Organization", "b"))
				require.Nil(t, read(t, st, "Organization", "c"))
				require.Equal(t, 2, rep.MergeCount)
				ids, err := st.FindByIdentifier(context.Background(), "Organization", store.IdentifierQuery{System: "s", Value: "1"})
				require.NoError(t, err)
				require.Equal(t, []string{"a"}, ids)
			},
		},
		{
			name:    "identifier memory full: the batch map and the store still match",
			opts:    Options{MaxIdentifiers: 1},
			batches: [][]string{{`{"resourceType":"Practitioner","id":"p","identifier":[{"system":"n","value":"0"}]}`, orgA, orgB}, {orgC, encQ}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.Equal(t, 2, rep.MergeCount)
				require.Nil(t, read(t, st, "Organization", "b"))
				require.Nil(t, read(t, st, "Organization", "c"))
				require.Equal(t, "Organization/a", ref(read(t, st, "Encounter", "e"), "serviceProvider", "reference"))
			},
		},
		{
			name:    "dedup limited to some types",
			opts:    Options{DedupTypes: []string{"Practitioner"}},
			batches: [][]string{{orgA, orgB}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.NotNil(t, read(t, st, "Organization", "b"))
				require.Zero(t, rep.MergeCount)
			},
		},
		{
			name: "clinical records are not merged by default",
			batches: [][]string{{
				`{"resourceType":"ExplanationOfBenefit","id":"x","identifier":[{"system":"claim-group","value":"9"}]}`,
				`{"resourceType":"ExplanationOfBenefit","id":"y","identifier":[{"system":"claim-group","value":"9"}]}`,
			}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.NotNil(t, read(t, st, "ExplanationOfBenefit", "x"))
				require.NotNil(t, read(t, st, "ExplanationOfBenefit", "y"))
				require.Zero(t, rep.MergeCount)
			},
		},
		{
			name:    "dedup ambiguous: not merged, warned",
			pre:     []string{orgA, orgC},
			batches: [][]string{{orgB}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.NotNil(t, read(t, st, "Organization", "b"))
				require.Equal(t, 1, rep.Ambiguous)
				require.Equal(t, Warning{Type: "Organization", ID: "b", Value: "s|1", Reason: ReasonUnmerged}, rep.Warnings[0])
			},
		},
		{
			name:    "a partial repeat keeps the fuller version",
			batches: [][]string{{strings.Replace(orgA, `"name":"A"`, `"name":"A","active":true`, 1)}, {orgA}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				r, err := st.Read(context.Background(), "Organization", "a")
				require.NoError(t, err)
				require.Equal(t, int64(1), r.Version)
			},
		},
		{
			name:    "a changed repeat replaces",
			updates: true,
			batches: [][]string{{orgA}, {strings.Replace(orgA, `"name":"A"`, `"name":"A2"`, 1)}},
			check: func(t *testing.T, st *store.Store, rep Report) {
				require.Equal(t, "A2", read(t, st, "Organization", "a")["name"])
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := openStore(t)
			if len(tt.pre) > 0 {
				_, err := st.Put(ctx, inputs(t, tt.pre...))
				require.NoError(t, err)
			}
			s := New(st, tt.opts)
			for _, b := range tt.batches {
				out, err := s.Put(ctx, inputs(t, b...))
				require.NoError(t, err)
				require.Len(t, out, len(b))
			}
			rep, err := s.Finish(ctx)
			require.NoError(t, err)
			tt.check(t, st, rep)

			// Running the same import again writes no new version.
			if tt.updates {
				again := New(st, tt.opts)
				for _, b := range tt.batches {
					_, err := again.Put(ctx, inputs(t, b...))
					require.NoError(t, err)
				}
				rep, err := again.Finish(ctx)
				require.NoError(t, err)
				tt.check(t, st, rep)
				return
			}
			seq, err := st.Seq(ctx)
			require.NoError(t, err)
			again := New(st, tt.opts)
			for _, b := range tt.batches {
				out, err := again.Put(ctx, inputs(t, b...))
				require.NoError(t, err)
				for i, o := range out {
					require.Equal(t, store.Unchanged, o, "second import, %s", b[i])
				}
			}
			_, err = again.Finish(ctx)
			require.NoError(t, err)
			seq2, err := st.Seq(ctx)
			require.NoError(t, err)
			require.Equal(t, seq, seq2)
		})
	}
}
