package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// corruptSuite writes one file per case of the corrupt-input suite into
// dir and returns, by report location ("file:line"), a fragment of the
// reason each bad record must be rejected with. The cut gzip file has no
// line: where its stream breaks depends on the compressor, so the caller
// places it after the last line loaded.
func corruptSuite(t *testing.T, dir string) map[string]string {
	t.Helper()
	patient := func(id string) string { return `{"resourceType":"Patient","id":"` + id + `"}` + "\n" }
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	const labsHeader = "MRN;ACCESSION;TEST_CODE;TEST_NAME;RESULT;UNIT;COLLECTED;RESULTED;STATUS;COMMENT\n"
	lab := func(mrn, acc, code, collected string) string {
		return mrn + ";" + acc + ";" + code + ";Test;5.1;mmol/L;" + collected + ";;F;\n"
	}

	// A gzip file cut short: 2000 Devices compressed, the end cut off.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for i := range 2000 {
		_, err := zw.Write([]byte(`{"resourceType":"Device","id":"g` + strconv.Itoa(i) + `","status":"active"}` + "\n"))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cut.ndjson.gz"), gz.Bytes()[:gz.Len()*2/3], 0o600))

	write("utf8.ndjson", patient("u1")+`{"resourceType":"Patient","id":"u2","name":[{"text":"`+"\xc3\x28"+`"}]}`+"\n"+patient("u3"))
	write("notobject.ndjson", patient("n1")+`["resourceType","Patient"]`+"\n"+patient("n3"))
	write("Patient.000.ndjson", patient("w1")+`{"resourceType":"Observation","id":"w2","status":"final","code":{"text":"x"}}`+"\n"+patient("w3"))
	write("bundle.json", `{"resourceType":"Bundle","type":"transaction","entry":[
{"fullUrl":"urn:uuid:d1","resource":{"resourceType":"Patient","id":"d1"},"request":{"method":"PUT","url":"Patient/d1"}},
{"fullUrl":"urn:uuid:d2","request":{"method":"POST","url":"Patient"}},
{"fullUrl":"urn:uuid:d3","resource":{"resourceType":"Patient","id":"d3"},"request":{"method":"PUT","url":"Patient/d3"}}]}`)
	write("dupids.ndjson", patient("i1")+patient("i2")+`{"resourceType":"Patient","id":"i1","active":true}`+"\n")
	write("missingcols.csv", "MRN;ACCESSION;TEST_CODE;RESULT\n100;A-1;GLU;5\n")
	write("baddates.csv", labsHeader+lab("101", "A-11", "GLU", "2024-03-01 08:15")+lab("101", "A-12", "GLU", "2024-02-30 08:15")+lab("102", "A-13", "K", "2024-03-02 09:00"))
	write("unknowncode.csv", labsHeader+lab("103", "A-21", "NA", "2024-03-01 08:15")+lab("103", "A-22", "GLU", "2024-03-01 08:15"))

	// A 100 MiB line between two good ones, written without holding it.
	f, err := os.Create(filepath.Join(dir, "hugeline.ndjson"))
	require.NoError(t, err)
	_, err = f.WriteString(patient("h1") + `{"resourceType":"Binary","id":"h2","data":"`)
	require.NoError(t, err)
	chunk := bytes.Repeat([]byte("QUJD"), 1<<18)
	for range 100 {
		_, err = f.Write(chunk)
		require.NoError(t, err)
	}
	_, err = f.WriteString(`"}` + "\n" + patient("h3"))
	require.NoError(t, err)
	require.NoError(t, f.Close())

	return map[string]string{
		"cut.ndjson.gz":        "gzip: unexpected EOF",
		"utf8.ndjson:2":        "invalid UTF-8",
		"notobject.ndjson:2":   "not a JSON object but an array",
		"Patient.000.ndjson:2": `resourceType "Observation" in Patient.000.ndjson, a file of Patient resources`,
		"bundle.json:3":        "Bundle.entry[1] has no resource",
		"dupids.ndjson:3":      "duplicate id Patient/i1 in this file (first at line 1)",
		"hugeline.ndjson:2":    "exceeds the 64 MiB limit",
		"missingcols.csv:1":    `the header lacks column(s) "COLLECTED"`,
		"baddates.csv:3":       `column "COLLECTED": "2024-02-30 08:15" is not a dateTime`,
		"unknowncode.csv:2":    `column "TEST_CODE": "NA" is not in lookup "labcode"`,
	}
}

// TestImportCorruptSuite runs `fhirlake import` over a folder holding one
// file per case of the corrupt-input suite: a truncated gzip file, invalid
// UTF-8, a JSON value that is not an object, a resource of the wrong type
// for its file's name, a Bundle entry without a resource, a duplicate id
// within one file, a 100 MiB line, and CSV files with missing columns, a
// bad date and an unknown code. Each bad record is exactly one line of the
// job's error report, naming its file and line, and every good record
// around them loads.
func TestImportCorruptSuite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	require.NoError(t, os.MkdirAll(in, 0o700))
	want := corruptSuite(t, in)
	mapping := csvmapFixture(t, "labs.json", dir, "labs.json")

	var out, errw bytes.Buffer
	var rejectedErr *rejectedError
	err := run(ctx, []string{"import", "--data", filepath.Join(dir, "data"), "--mapping", mapping, in}, &out, &errw)
	require.ErrorAs(t, err, &rejectedErr, "stdout:\n%s\nstderr:\n%s", out.String(), errw.String())
	require.Contains(t, out.String(), "rejected: "+strconv.Itoa(len(want)), out.String())

	m := regexp.MustCompile(`error report: (\S+)`).FindStringSubmatch(errw.String())
	require.NotNil(t, m, "stderr names the error report:\n%s", errw.String())
	require.Equal(t, rejectedErr.job.ErrorReport, m[1])

	counts := importCounts(t, out.String())
	devices := counts["Device"] // lines of the gzip file read before the cut
	require.Positive(t, devices, out.String())
	require.Less(t, devices, 2000, out.String())

	report := reportLines(t, m[1])
	t.Logf("error report:\n%s", strings.Join(report, "\n"))
	got := map[string]string{}
	for _, line := range report {
		loc, reason, ok := strings.Cut(line, ": ")
		require.True(t, ok, line)
		if strings.HasPrefix(loc, "cut.ndjson.gz:") {
			require.Equal(t, "cut.ndjson.gz:"+strconv.Itoa(devices+1), loc, "the cut is reported on the line after the last one loaded")
			loc = "cut.ndjson.gz"
		}
		require.NotContains(t, got, loc, "one report line per bad record: %s", line)
		got[loc] = reason
	}
	require.Len(t, got, len(want), "report:\n%v", got)
	for loc, reason := range want {
		require.Contains(t, got, loc, "report:\n%v", got)
		require.Contains(t, got[loc], reason, loc)
	}

	// Every good record loaded: two Patients from each of the six NDJSON
	// and JSON files, one per MRN of the good CSV rows (101, 102, 103) and
	// an Observation per good row.
	require.Equal(t, map[string]int{"Patient": 6*2 + 3, "Observation": 3, "Device": devices}, counts, out.String())
}
