package ingest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata/json")

// golden renders every record (line, Type/id, body) and every rejection
// (line!, reason) in file order.
func golden(res result) string {
	var b strings.Builder
	ri, ei := 0, 0
	for ri < len(res.recs) || ei < len(res.errs) {
		if ei < len(res.errs) && (ri >= len(res.recs) || res.errs[ei].Line < res.recs[ri].Line) {
			fmt.Fprintf(&b, "%d! %s\n", res.errs[ei].Line, res.errs[ei].Reason)
			ei++
			continue
		}
		r := res.recs[ri]
		fmt.Fprintf(&b, "%d %s/%s %s\n", r.Line, r.Type, r.ID, r.Body)
		ri++
	}
	return b.String()
}

// TestReadJSONGolden reads every file in testdata/json and compares what
// ReadFile reports with the .golden file beside it (go test -rewrite
// updates them; review the diff).
func TestReadJSONGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/json/*")
	require.NoError(t, err)
	n := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden") {
			continue
		}
		n++
		t.Run(filepath.Base(in), func(t *testing.T) {
			got := golden(readAll(t, in))
			want := strings.TrimSuffix(in, filepath.Ext(in)) + ".golden"
			if *rewrite {
				require.NoError(t, os.WriteFile(want, []byte(got), 0o644))
				return
			}
			data, err := os.ReadFile(want)
			require.NoError(t, err)
			require.Equal(t, string(data), got)
		})
	}
	require.Greater(t, n, 10)
}

// TestBundleReferences pins the facts the golden files show, so a careless
// -rewrite cannot hide a regression in reference rewriting.
func TestBundleReferences(t *testing.T) {
	res := readAll(t, "testdata/json/transaction.json")
	bodies := map[string]string{}
	for _, r := range res.recs {
		bodies[r.Type+"/"+r.ID] = string(r.Body)
	}
	require.Len(t, res.recs, 7)
	require.Len(t, res.errs, 5)
	enc := "Encounter/0b3c7d9a-1e2f-4a5b-8c6d-7e8f9a0b1c2d" // id from the urn:uuid fullUrl
	require.Contains(t, bodies, enc)
	require.Contains(t, bodies[enc], `"subject":{"reference":"Patient/pat-1","display":"Doe"}`)
	require.Contains(t, bodies[enc], `"reference":"Organization?identifier=https://github.com/synthetichealth/synthea|abc"`)
	require.Contains(t, bodies[enc], `"reference":"http://example.org/fhir/Practitioner/9"`)
	obs := bodies["Observation/obs-1"]
	require.Contains(t, obs, `"encounter":{"reference":"`+enc+`"}`)
	require.Contains(t, obs, `"contained":[{"resourceType":"Specimen","id":"sp","subject":{"reference":"Patient/pat-1"}}]`)
	require.Contains(t, obs, `"valueReference":{"reference":"`+enc+`"}`)
	require.Contains(t, obs, `{"reference":"Organization/org-1"}`) // urn:oid fullUrl, id from PUT url
	require.Contains(t, obs, `"text":"see urn:uuid:6f1d2a5e-8c1b-4c59-9d1e-2b7f0c1a9e01"`)
	require.NotContains(t, obs, `"reference":"urn:`)
	cond := bodies["Condition/c-1"]
	require.Contains(t, cond, `"reference":"urn:uuid:99999999-9999-4999-8999-999999999999"`) // not in the bundle
	require.Contains(t, cond, `"reference":"urn:uuid:22222222-2222-4333-8444-555555555555"`) // its entry was rejected
}

// TestBundleSmallReads reads the golden Bundles through readers that return
// one byte, or half the asked bytes, at a time: values spanning reads must
// give the same result as reading whole files.
func TestBundleSmallReads(t *testing.T) {
	for _, name := range []string{"transaction.json", "searchset.json", "syntax-error.json", "truncated.json", "trailing-data.json"} {
		data, err := os.ReadFile(filepath.Join("testdata/json", name))
		require.NoError(t, err)
		want := golden(readAll(t, filepath.Join("testdata/json", name)))
		for _, wrap := range []struct {
			name string
			fn   func(io.Reader) io.Reader
		}{{"one byte", iotest.OneByteReader}, {"half", iotest.HalfReader}, {"data with EOF", iotest.DataErrReader}} {
			t.Run(name+"/"+wrap.name, func(t *testing.T) {
				var res result
				em := &emitter{ctx: context.Background(), file: name, h: Handler{
					Record: func(r Record) error { res.recs = append(res.recs, r); return nil },
					Reject: func(e *RecordError) { res.errs = append(res.errs, e) },
				}}
				open := func() (*source, string) {
					return &source{in: &countingReader{r: wrap.fn(bytes.NewReader(data))}}, ""
				}
				require.NoError(t, unpackBundle(em, open, 0, nil))
				require.Equal(t, want, golden(res))
			})
		}
	}
}
