package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// result is everything ReadFile reported for one file.
type result struct {
	recs  []Record
	errs  []*RecordError
	stats FileStats
}

// events renders records as "L Type/id" and rejections as "L! reason", in
// file order, for exact comparison in tests.
func (r result) events() []string {
	var out []string
	ri, ei := 0, 0
	for ri < len(r.recs) || ei < len(r.errs) {
		if ei < len(r.errs) && (ri >= len(r.recs) || r.errs[ei].Line < r.recs[ri].Line) {
			out = append(out, fmt.Sprintf("%d! %s", r.errs[ei].Line, r.errs[ei].Reason))
			ei++
			continue
		}
		out = append(out, fmt.Sprintf("%d %s/%s", r.recs[ri].Line, r.recs[ri].Type, r.recs[ri].ID))
		ri++
	}
	return out
}

// readAll reads path and checks the invariants every read must keep.
func readAll(t testing.TB, path string) result {
	t.Helper()
	var res result
	st, err := ReadFile(context.Background(), path, Handler{
		Record: func(r Record) error { res.recs = append(res.recs, r); return nil },
		Reject: func(e *RecordError) { res.errs = append(res.errs, e) },
	})
	require.NoError(t, err)
	res.stats = st
	require.Equal(t, len(res.recs), st.Records)
	require.Equal(t, len(res.errs), st.Rejected)
	for _, r := range res.recs {
		checkRecord(t, r)
		require.Equal(t, path, r.File)
	}
	for _, e := range res.errs {
		require.Equal(t, path, e.File)
		require.NotEmpty(t, e.Reason)
	}
	return res
}

// checkRecord verifies that a record's body is a compact JSON object whose
// resourceType and id match the record.
func checkRecord(t testing.TB, r Record) {
	t.Helper()
	require.True(t, json.Valid(r.Body), "%s:%d: body is not valid JSON", r.File, r.Line)
	var head struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &head))
	require.Equal(t, r.Type, head.ResourceType)
	require.Equal(t, r.ID, head.ID)
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, r.Body))
	require.Equal(t, compact.String(), string(r.Body), "body is not compact")
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

const (
	pat1 = `{"resourceType":"Patient","id":"p1"}`
	pat2 = `{"resourceType":"Patient","id":"p2"}`
)

func TestReadNDJSON(t *testing.T) {
	long := `{"resourceType":"Binary","id":"big","data":"` + strings.Repeat("QUJD", 1<<20) + `"}`
	noID := `{"resourceType":"Observation","status":"final"}`
	noIDWant := "Observation/" + contentID([]byte(noID))
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{"good", pat1 + "\n" + pat2 + "\n", []string{"1 Patient/p1", "2 Patient/p2"}},
		{"no final newline", pat1 + "\n" + pat2, []string{"1 Patient/p1", "2 Patient/p2"}},
		{"crlf and blank lines", pat1 + "\r\n\r\n  \t\r\n" + pat2 + "\r\n\n", []string{"1 Patient/p1", "4 Patient/p2"}},
		{"truncated", pat1 + "\n" + `{"resourceType":"Patient","id":"x"` + "\n" + pat2,
			[]string{"1 Patient/p1", "2! invalid JSON: unexpected end of input at column 35", "3 Patient/p2"}},
		{"array", pat1 + "\n[1,2]\n" + pat2, []string{"1 Patient/p1", "2! not a JSON object but an array", "3 Patient/p2"}},
		{"string", pat1 + "\n\"x\"\n" + pat2, []string{"1 Patient/p1", "2! not a JSON object but a string", "3 Patient/p2"}},
		{"number", pat1 + "\n42\n" + pat2, []string{"1 Patient/p1", "2! not a JSON object but a number", "3 Patient/p2"}},
		{"unknown type", pat1 + "\n" + `{"resourceType":"Patinet","id":"x"}` + "\n" + pat2,
			[]string{"1 Patient/p1", `2! unknown resourceType "Patinet" (not a FHIR R4 resource type)`, "3 Patient/p2"}},
		{"missing type", pat1 + "\n" + `{"id":"x"}` + "\n" + pat2, []string{"1 Patient/p1", "2! missing resourceType", "3 Patient/p2"}},
		{"type not a string", pat1 + "\n" + `{"resourceType":["Patient"]}` + "\n" + pat2,
			[]string{"1 Patient/p1", "2! resourceType is an array, want a string", "3 Patient/p2"}},
		{"invalid id", pat1 + "\n" + `{"resourceType":"Patient","id":"a/b"}` + "\n" + pat2,
			[]string{"1 Patient/p1", `2! invalid id "a/b" (want 1-64 characters from A-Z a-z 0-9 - .)`, "3 Patient/p2"}},
		{"id not a string", pat1 + "\n" + `{"resourceType":"Patient","id":7}` + "\n" + pat2,
			[]string{"1 Patient/p1", "2! id is a number, want a string", "3 Patient/p2"}},
		{"invalid utf8", pat1 + "\n" + `{"resourceType":"Patient","id":"u","name":"` + "\xff" + `"}` + "\n" + pat2,
			[]string{"1 Patient/p1", "2! invalid UTF-8 at column 44", "3 Patient/p2"}},
		{"bad escape", pat1 + "\n" + `{"resourceType":"Patient","id":"e","x":"\q"}` + "\n" + pat2,
			[]string{"1 Patient/p1", `2! invalid JSON: invalid character 'q' in string escape code at column 42`, "3 Patient/p2"}},
		{"trailing data", pat1 + "\n" + pat2 + " " + pat1 + "\n",
			[]string{"1 Patient/p1", "2! invalid JSON: unexpected data after the JSON value at column 38"}},
		{"two bad in a row", "x\n{\n" + pat2, []string{
			"1! invalid JSON: invalid character 'x' looking for beginning of value at column 1",
			"2! invalid JSON: unexpected end of input at column 2", "3 Patient/p2"}},
		{"missing id is assigned from content", noID + "\n" + noID + "\n", []string{"1 " + noIDWant,
			"2! duplicate id " + noIDWant + " in this file: the same resource without an id repeats line 1 (harmless: its id derives from its content)"}},
		// A compact line's content id is hashed in place; the next line's
		// compact copy must not be written over the read buffer.
		{"content ids of a compact line, then a spaced one", `{"resourceType":"Basic"}` + "\n" + `{"resourceType":"Basic","":{} }`,
			[]string{"1 Basic/" + contentID([]byte(`{"resourceType":"Basic"}`)), "2 Basic/" + contentID([]byte(`{"resourceType":"Basic","":{}}`))}},
		{"longer than the read buffer", pat1 + "\n" + long + "\n" + pat2, []string{"1 Patient/p1", "2 Binary/big", "3 Patient/p2"}},
		{"escaped member names", `{"resource\u0054ype":"Patient","\u0069d":"esc"}`, []string{"1 Patient/esc"}},
		// The entries of a Bundle line are checked for duplicates within
		// the Bundle only: p2 on line 3 is not a duplicate of its entry.
		{"bundle line", pat1 + "\n" + `{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + pat2 + `},{}]}` + "\n" + pat2,
			[]string{"1 Patient/p1", "2 Patient/p2", "2! Bundle.entry[1] has no resource", "3 Patient/p2"}},
		{"empty", "", []string{"0! file is empty"}},
		{"blank lines only", "\n \r\n\n", []string{"0! file is empty"}},
	}
	dir := t.TempDir()
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, fmt.Sprintf("case%d.ndjson", i), []byte(tc.input))
			require.Equal(t, tc.want, readAll(t, path).events())
		})
	}
}

func TestReadNDJSONBody(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"compact is kept", `{"resourceType":"Patient","id":"a","active":true}`, `{"resourceType":"Patient","id":"a","active":true}`},
		{"spaces are removed", "{ \"resourceType\" : \"Patient\",\t\"id\":\"a\", \"name\": [ { \"text\": \"A  B\" } ] }",
			`{"resourceType":"Patient","id":"a","name":[{"text":"A  B"}]}`},
		{"assigned id follows resourceType", `{"meta":{"id":"m"},"resourceType":"Patient","active":true}`,
			`{"meta":{"id":"m"},"resourceType":"Patient","id":"` + contentID([]byte(`{"meta":{"id":"m"},"resourceType":"Patient","active":true}`)) + `","active":true}`},
		{"urn references stay outside bundles", `{"resourceType":"Observation","id":"o","subject":{"reference":"urn:uuid:x"}}`,
			`{"resourceType":"Observation","id":"o","subject":{"reference":"urn:uuid:x"}}`},
		{"escapes are kept", `{"resourceType":"Patient","id":"a","x":"q\"\\\u00e9"}`, `{"resourceType":"Patient","id":"a","x":"q\"\\\u00e9"}`},
	}
	dir := t.TempDir()
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, fmt.Sprintf("case%d.ndjson", i), []byte(tc.input+"\n"))
			res := readAll(t, path)
			require.Empty(t, res.errs)
			require.Len(t, res.recs, 1)
			require.Equal(t, tc.want, string(res.recs[0].Body))
		})
	}
}

func TestContentIDIsStableAcrossLayout(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.ndjson", []byte(`{"resourceType":"Basic","code":{"text":"x"}}`+"\n"))
	b := writeFile(t, dir, "b.json", []byte("{\n  \"resourceType\": \"Basic\",\n  \"code\": { \"text\": \"x\" }\n}\n"))
	ra, rb := readAll(t, a), readAll(t, b)
	require.Len(t, ra.recs, 1)
	require.Len(t, rb.recs, 1)
	require.Equal(t, ra.recs[0].ID, rb.recs[0].ID)
	require.Equal(t, string(ra.recs[0].Body), string(rb.recs[0].Body))
}

func TestReadFileStops(t *testing.T) {
	dir := t.TempDir()
	var lines strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&lines, `{"resourceType":"Patient","id":"p%d"}`+"\n", i)
	}
	path := writeFile(t, dir, "a.ndjson", []byte(lines.String()))
	stop := errors.New("stop")
	n := 0
	_, err := ReadFile(context.Background(), path, Handler{Record: func(Record) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	}})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 3, n)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := ReadFile(ctx, path, Handler{})
	require.ErrorIs(t, err, context.Canceled)
	require.LessOrEqual(t, st.Records, ctxEvery)

	// Reject cannot stop the read; canceling the context can.
	bad := writeFile(t, dir, "b.ndjson", []byte(strings.Repeat("x\n", 1000)))
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	rejected := 0
	st, err = ReadFile(ctx, bad, Handler{Reject: func(*RecordError) {
		rejected++
		if rejected == 10 {
			cancel()
		}
	}})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, rejected, st.Rejected)
	require.Less(t, st.Rejected, 1000)
}

func TestReadFileUnreadable(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.ndjson"), "0! cannot open: no such file or directory"},
		{"directory", writeDir(t, dir, "d.ndjson"), "0! read error: is a directory"},
		{"unsupported", writeFile(t, dir, "x.csv", []byte("a,b\n")), "0! unsupported file type (want .ndjson, .jsonl or .json, optionally .gz or .zst)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, []string{tc.want}, readAll(t, tc.path).events())
		})
	}
}

func writeDir(t testing.TB, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.Mkdir(path, 0o755))
	return path
}

func TestRecordErrorString(t *testing.T) {
	require.Equal(t, "a.ndjson:3: missing resourceType", (&RecordError{File: "a.ndjson", Line: 3, Reason: "missing resourceType"}).Error())
	require.Equal(t, "a.ndjson: file is empty", (&RecordError{File: "a.ndjson", Reason: "file is empty"}).Error())
}
