package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/ingest/csvmap"
	"github.com/fhirlake/fhirlake/store"
)

// csvFixture is a file of csvmap's worked examples.
func csvFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("csvmap", "testdata", name))
	require.NoError(t, err)
	return b
}

// csvImportResult is what a test import did: the summary, the rejections as
// "file:line: reason" with file relative to the input folder, and the
// stored resources by type and id.
type csvImportResult struct {
	sum     Summary
	rejects []string
	stored  map[string]map[string][]byte
}

// importFiles imports files (name -> content, written to a fresh folder)
// into st with opts and reads back everything stored.
func importFiles(t *testing.T, st *store.Store, files map[string][]byte, opts Options) csvImportResult {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for name, data := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o600))
		paths = append(paths, p)
	}
	var res csvImportResult
	opts.Reject = func(e *RecordError) {
		e.File = strings.TrimPrefix(e.File, dir+string(filepath.Separator))
		res.rejects = append(res.rejects, e.Error())
	}
	var err error
	res.sum, err = Import(context.Background(), st, paths, opts)
	require.NoError(t, err)
	res.stored = map[string]map[string][]byte{}
	for _, typ := range []string{"Patient", "Observation"} {
		res.stored[typ] = map[string][]byte{}
		require.NoError(t, st.Scan(context.Background(), typ, func(r store.Resource) error {
			res.stored[typ][r.ID] = append([]byte(nil), r.Body...)
			return nil
		}))
	}
	return res
}

func openTestStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "raw.db"), store.Options{NoSync: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// labsHeader is the header of csvmap's lab-results extract.
const labsHeader = "MRN;ACCESSION;TEST_CODE;TEST_NAME;RESULT;UNIT;COLLECTED;RESULTED;STATUS;COMMENT\n"

// goodNDJSON is an unrelated file imported beside the CSV, to show that
// a bad CSV loses nothing else.
var goodNDJSON = []byte(`{"resourceType":"Observation","id":"other","status":"final","code":{"text":"x"}}` + "\n")

func TestImportCSV(t *testing.T) {
	patients, err := csvmap.Load(bytes.NewReader(csvFixture(t, "patients.yaml")))
	require.NoError(t, err)
	labs, err := csvmap.Load(bytes.NewReader(csvFixture(t, "labs.json")))
	require.NoError(t, err)
	labRow := func(mrn, acc, code, result, collected string) string {
		return mrn + ";" + acc + ";" + code + ";Test;" + result + ";mmol/L;" + collected + ";;F;\n"
	}
	for _, tc := range []struct {
		name    string
		files   map[string][]byte
		mapping *csvmap.Mapping
		// want counts the stored resources by type; wantRejects lists the
		// error report, in file order.
		want        map[string]int
		wantRejects []string
	}{{
		name:    "patients extract",
		files:   map[string][]byte{"patients.csv": csvFixture(t, "patients.csv")},
		mapping: patients,
		want:    map[string]int{"Patient": 4},
		wantRejects: []string{
			`patients.csv:5: column "SEX": "X" is not in lookup "sex"`,
			`patients.csv:5: column "BIRTH_DATE": "13/45/1962" is not a date in format MM/DD/YYYY`,
			`patients.csv:6: column "MRN": a value is required`,
			`patients.csv:7: column "BIRTH_DATE": "1990-05-05" is not a date in format MM/DD/YYYY`,
			`patients.csv:7: column "DECEASED": "maybe" is not a boolean (true/false, yes/no, y/n, 1/0)`,
			`patients.csv:8: the row does not have the 12 fields of the header`,
		},
	}, {
		name:    "lab-results extract, gzip-compressed",
		files:   map[string][]byte{"labs.csv.gz": gzipBytes(t, csvFixture(t, "labs.csv"))},
		mapping: labs,
		// One Patient per MRN (100001 has two rows; 100002 only bad ones).
		want: map[string]int{"Patient": 3, "Observation": 4},
		wantRejects: []string{
			`labs.csv.gz:5: column "TEST_CODE": "XYZ" is not in lookup "labcode"`,
			`labs.csv.gz:6: column "COLLECTED": "2024-13-02 09:00" is not a dateTime in format YYYY-MM-DD HH:mm`,
			`labs.csv.gz:6: column "RESULT": "high" is not a decimal number`,
			`labs.csv.gz:8: column "ACCESSION": a value is required`,
			`labs.csv.gz:8: column "STATUS": "Z" is not in lookup "status"`,
		},
	}, {
		name: "missing columns",
		files: map[string][]byte{
			"labs.csv":    []byte("MRN;ACCESSION;TEST_CODE;RESULT\n1;A-1;GLU;5\n"),
			"more.ndjson": goodNDJSON,
		},
		mapping: labs,
		want:    map[string]int{"Observation": 1},
		wantRejects: []string{
			`labs.csv:1: unusable CSV header: the header lacks column(s) "COLLECTED", "RESULTED", "STATUS", "TEST_NAME", "UNIT" named by mapping "hospital-a-labs"`,
		},
	}, {
		name: "bad date",
		files: map[string][]byte{"labs.csv": []byte(labsHeader +
			labRow("1", "A-1", "GLU", "5.1", "2024-03-01 08:15") +
			labRow("1", "A-2", "GLU", "5.2", "2024-02-30 08:15") +
			labRow("2", "A-3", "K", "4.0", "2024-03-02 09:00"))},
		mapping:     labs,
		want:        map[string]int{"Patient": 2, "Observation": 2},
		wantRejects: []string{`labs.csv:3: column "COLLECTED": "2024-02-30 08:15" is not a dateTime in format YYYY-MM-DD HH:mm`},
	}, {
		name: "unknown code",
		files: map[string][]byte{"labs.csv": []byte(labsHeader +
			labRow("1", "A-1", "NA", "140", "2024-03-01 08:15") +
			labRow("1", "A-2", "GLU", "5.2", "2024-03-01 08:15"))},
		mapping:     labs,
		want:        map[string]int{"Patient": 1, "Observation": 1},
		wantRejects: []string{`labs.csv:2: column "TEST_CODE": "NA" is not in lookup "labcode"`},
	}, {
		name: "CSV without a mapping",
		files: map[string][]byte{
			"labs.csv":    csvFixture(t, "labs.csv"),
			"more.ndjson": goodNDJSON,
		},
		want:        map[string]int{"Observation": 1},
		wantRejects: []string{"labs.csv: " + noMappingReason},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			res := importFiles(t, openTestStore(t), tc.files, Options{CSV: tc.mapping, BatchSize: 2})
			require.Equal(t, tc.wantRejects, res.rejects)
			require.Equal(t, len(tc.wantRejects), res.sum.Rejected)
			got := map[string]int{}
			for typ, byID := range res.stored {
				if len(byID) > 0 {
					got[typ] = len(byID)
				}
			}
			require.Equal(t, tc.want, got)
			require.Equal(t, res.sum.Resources(), got["Patient"]+got["Observation"], "every record read was stored once")
			require.Empty(t, res.sum.Skipped)
			requireResolvedSubjects(t, res.stored)
		})
	}
}

// requireResolvedSubjects checks that every Observation's subject is a
// "Patient/id" of a stored Patient: no conditional reference is left.
func requireResolvedSubjects(t *testing.T, stored map[string]map[string][]byte) {
	t.Helper()
	for id, body := range stored["Observation"] {
		var o struct {
			Subject *struct{ Reference string } `json:"subject"`
		}
		require.NoError(t, json.Unmarshal(body, &o))
		if o.Subject == nil {
			continue
		}
		pid, ok := strings.CutPrefix(o.Subject.Reference, "Patient/")
		require.True(t, ok, "Observation/%s subject %q", id, o.Subject.Reference)
		require.Contains(t, stored["Patient"], pid, "Observation/%s subject %q", id, o.Subject.Reference)
	}
}

// TestImportCSVFoundOrCreated checks csvmap's found-or-created patients
// across imports: a re-run creates nothing, and a lab extract refers to
// the patients an earlier patients extract created with the same MRN
// instead of creating its own.
func TestImportCSVFoundOrCreated(t *testing.T) {
	labs, err := csvmap.Load(bytes.NewReader(csvFixture(t, "labs.json")))
	require.NoError(t, err)
	patients, err := csvmap.Load(bytes.NewReader(csvFixture(t, "patients.yaml")))
	require.NoError(t, err)
	labFiles := map[string][]byte{"labs.csv": csvFixture(t, "labs.csv")}

	t.Run("re-run", func(t *testing.T) {
		st := openTestStore(t)
		first := importFiles(t, st, labFiles, Options{CSV: labs})
		again := importFiles(t, st, labFiles, Options{CSV: labs})
		require.Equal(t, first.stored, again.stored)
		require.Equal(t, map[string]*TypeCounts{"Observation": {Unchanged: 4}}, again.sum.ByType,
			"the patients are found, not written again")
		require.Equal(t, first.rejects, again.rejects)
	})
	t.Run("patients extract first", func(t *testing.T) {
		st := openTestStore(t)
		importFiles(t, st, map[string][]byte{"patients.csv": csvFixture(t, "patients.csv")}, Options{CSV: patients})
		res := importFiles(t, st, labFiles, Options{CSV: labs})
		// 4 from the patients extract, plus MRN|77 & co, the only lab MRN
		// it lacks.
		require.Len(t, res.stored["Patient"], 5)
		require.Equal(t, 1, res.sum.ByType["Patient"].Created)
		subjects := map[string]string{}
		for id, body := range res.stored["Observation"] {
			var o struct{ Subject struct{ Reference string } }
			require.NoError(t, json.Unmarshal(body, &o))
			subjects[id] = o.Subject.Reference
		}
		require.Equal(t, "Patient/pat-100001", subjects["lab-A-1001-GLU"])
		require.Equal(t, "Patient/pat-100001", subjects["lab-A-1001-K"])
		require.Equal(t, "Patient/pat-100003", subjects["lab-A-1005-HGB"])
		requireResolvedSubjects(t, res.stored)
	})
}

func TestIdentifierQuery(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		want    store.IdentifierQuery
		wantErr bool
	}{
		{raw: "identifier=http://h.example/mrn|42", want: store.IdentifierQuery{System: "http://h.example/mrn", Value: "42"}},
		{raw: "identifier=http://h.example/mrn|MRN%5C%7C77%20%26%20co", want: store.IdentifierQuery{System: "http://h.example/mrn", Value: "MRN|77 & co"}},
		{raw: "identifier=42", want: store.IdentifierQuery{Value: "42", AnySystem: true}},
		{raw: "identifier=%7C42", want: store.IdentifierQuery{Value: "42"}},
		{raw: "identifier=a%5C%5C|b%5C%2Cc", want: store.IdentifierQuery{System: `a\`, Value: "b,c"}},
		{raw: "identifier=http://h.example/mrn|", wantErr: true},
		{raw: "name=x", wantErr: true},
		{raw: "identifier=%zz", wantErr: true},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			got, err := identifierQuery(tc.raw)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
