package ingest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/ingest/normalize"
	"github.com/fhirlake/fhirlake/store"
)

// TestImportNormalize checks Options.Normalize: changed records are
// stored normalised with the audit tag and counted; records that need
// nothing, and every record without the option, are stored as read.
func TestImportNormalize(t *testing.T) {
	const (
		raw = `{"resourceType":"Patient","id":"p1","gender":"Male"}` + "\n" +
			`{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"2.16.840.1.113883.6.96","code":"271649006"}]},` +
			`"valueQuantity":{"value":5.4,"unit":"mg/dl","system":"http://unitsofmeasure.org","code":"mg/dl"}}` + "\n" +
			`{"resourceType":"Patient","id":"p2","gender":"female"}` + "\n"
	)
	for _, tc := range []struct {
		name           string
		norm           *normalize.Normalizer
		wantNormalized int
		want           map[string][]string // id -> substrings of the stored body
		wantNot        map[string][]string // id -> substrings it must not hold
	}{{
		name:           "on",
		norm:           normalize.New(normalize.Options{}),
		wantNormalized: 2,
		want: map[string][]string{
			"p1": {`"gender":"male"`, normalize.TagSystem},
			"o1": {`"system":"http://snomed.info/sct"`, `"code":"mg/dL"`, normalize.TagSystem},
			"p2": {`"gender":"female"`},
		},
		wantNot: map[string][]string{"p2": {normalize.TagSystem}},
	}, {
		name: "off",
		want: map[string][]string{
			"p1": {`"gender":"Male"`},
			"o1": {`"system":"2.16.840.1.113883.6.96"`, `"code":"mg/dl"`},
		},
		wantNot: map[string][]string{"p1": {normalize.TagSystem}, "o1": {normalize.TagSystem}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var last Progress
			res := importFiles(t, openTestStore(t), map[string][]byte{"in.ndjson": []byte(raw)},
				Options{Normalize: tc.norm, Progress: func(p Progress) { last = p }})
			require.Empty(t, res.rejects)
			require.Equal(t, tc.wantNormalized, res.sum.Normalized)
			require.Equal(t, tc.wantNormalized, last.Normalized)
			require.Positive(t, res.sum.Stages.Read, "the reader was timed")
			require.Positive(t, res.sum.Stages.Write, "the sink was timed")
			require.Equal(t, tc.norm != nil, res.sum.Stages.Normalize > 0, "the normalize stage is timed when it runs")
			require.LessOrEqual(t, res.sum.Stages.Write, res.sum.Elapsed)
			bodies := map[string][]byte{}
			for _, byID := range res.stored {
				for id, b := range byID {
					bodies[id] = b
				}
			}
			require.Len(t, bodies, 3)
			for id, subs := range tc.want {
				for _, s := range subs {
					require.True(t, bytes.Contains(bodies[id], []byte(s)), "%s lacks %s: %s", id, s, bodies[id])
				}
			}
			for id, subs := range tc.wantNot {
				for _, s := range subs {
					require.False(t, bytes.Contains(bodies[id], []byte(s)), "%s holds %s: %s", id, s, bodies[id])
				}
			}
		})
	}
}

// TestNormalizeStageBatch checks one batch through the stage: changed
// bodies are replaced and counted, a body the normalizer refuses is
// dropped and reported with its file and line, the others are kept in
// order.
func TestNormalizeStageBatch(t *testing.T) {
	s := newNormalizeStage(normalize.New(normalize.Options{}))
	s.workers = 3
	b := pendingBatch{}
	for i, body := range []string{
		`{"resourceType":"Patient","id":"a","gender":"Male"}`,
		`{"resourceType":"Nope","id":"b"}`,
		`{"resourceType":"Patient","id":"c","gender":"female"}`,
		`{"resourceType":"Patient","id":"d","gender":"FEMALE"}`,
	} {
		b.in = append(b.in, store.Input{Type: "Patient", ID: string(rune('a' + i)), Body: []byte(body)})
		b.at = append(b.at, recordAt{file: "f.ndjson", line: i + 1})
	}
	var rejects []string
	kept, n := s.batch(b, func(e *RecordError) { rejects = append(rejects, e.Error()) })
	require.Equal(t, 2, n)
	require.Len(t, rejects, 1)
	require.True(t, strings.HasPrefix(rejects[0], "f.ndjson:2: normalisation failed: "), rejects[0])
	var ids []string
	for _, in := range kept {
		ids = append(ids, in.ID)
	}
	require.Equal(t, []string{"a", "c", "d"}, ids)
	require.Contains(t, string(kept[0].Body), `"gender":"male"`)
	require.Equal(t, `{"resourceType":"Patient","id":"c","gender":"female"}`, string(kept[1].Body))
	require.Contains(t, string(kept[2].Body), `"gender":"female"`)
}
