package csvmap

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// run converts csv with the mapping doc, collecting outputs and errors.
func run(t *testing.T, doc, csv string) ([]Output, []string, Stats, error) {
	t.Helper()
	m, err := Load(strings.NewReader(doc))
	require.NoError(t, err)
	var outs []Output
	var errs []string
	st, err := m.Convert(context.Background(), strings.NewReader(csv), "f.csv",
		func(o Output) error { outs = append(outs, o); return nil },
		func(re *RowError) error { errs = append(errs, re.Error()); return nil })
	return outs, errs, st, err
}

// hashedID matches the ids derived by hashID.
var hashedID = regexp.MustCompile(`\b[0-9a-f]{32}\b`)

// bodies returns the resources of outs as strings.
func bodies(outs []Output) []string {
	var s []string
	for _, o := range outs {
		s = append(s, string(o.Resource))
	}
	return s
}

const labDoc = `name: labs
resources:
  - alias: pat
    type: Patient
    ifNoneExist: identifier[0]
    create: CREATE
    fields:
      - path: identifier[0].system
        fixed: "http://h.example/mrn"
      - path: identifier[0].value
        column: MRN
  - alias: obs
    type: Observation
    id: "o-{{row.ACC}}"
    fields:
      - {path: status, fixed: final}
      - {path: code.text, column: TEST}
      - {path: subject, ref: pat}
`

func TestConvert(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		csv     string
		want    []string // resource bodies
		wantErr []string // row errors
	}{
		{
			name: "empty cells are omitted and arrays close up",
			doc: patientDoc(`      - {path: 'name[0].given[0]', column: A}
      - {path: 'name[0].given[1]', column: B}
      - {path: 'name[0].given[2]', column: C}
      - {path: 'telecom[0].value', column: D}
      - {path: 'telecom[1].value', column: E}
      - {path: 'address[0].city', column: F}
`),
			csv:  "A,B,C,D,E,F\n,Ann, ,,555,\n,,,,,\n",
			want: []string{`{"resourceType":"Patient","id":"ID","name":[{"given":["Ann"]}],"telecom":[{"value":"555"}]}`, `{"resourceType":"Patient","id":"ID"}`},
		},
		{
			name: "BOM, quotes, embedded delimiter and line break, trimmed header",
			doc:  patientDoc("      - {path: 'name[0].text', column: N}\n      - {path: gender, column: G}\n"),
			csv:  "\ufeff N ,G\n\"Smith, \"\"J\"\"\nline2\", male \n",
			want: []string{`{"resourceType":"Patient","id":"ID","name":[{"text":"Smith, \"J\"\nline2"}],"gender":"male"}`},
		},
		{
			name: "tab delimiter",
			doc:  "delimiter: tab\n" + patientDoc("      - {path: gender, column: G}\n      - {path: birthDate, column: B, type: date}\n"),
			csv:  "G\tB\nfemale\t1970-01-02\n",
			want: []string{`{"resourceType":"Patient","id":"ID","gender":"female","birthDate":"1970-01-02"}`},
		},
		{
			name: "required and when",
			doc: patientDoc(`      - {path: gender, column: G, required: true}
      - {path: 'telecom[0].system', fixed: phone, when: P}
      - {path: 'telecom[0].value', column: P}
`),
			csv:     "G,P\nmale,555\nfemale,\n,555\n",
			want:    []string{`{"resourceType":"Patient","id":"ID","gender":"male","telecom":[{"system":"phone","value":"555"}]}`, `{"resourceType":"Patient","id":"ID","gender":"female"}`},
			wantErr: []string{`f.csv:4: column "G": a value is required`},
		},
		{
			name: "template",
			doc:  patientDoc("      - {path: 'name[0].text', template: '{{row.F}} {{row.L}}'}\n      - {path: 'name[1].text', template: 'x{{row.F}}', required: true}\n"),
			csv:  "F,L\nAnn,Lee\n,Lee\n,\n",
			want: []string{`{"resourceType":"Patient","id":"ID","name":[{"text":"Ann Lee"},{"text":"xAnn"}]}`},
			wantErr: []string{`f.csv:3: column "F": a value is required`,
				`f.csv:4: column "F": a value is required`},
		},
		{
			name: "lookup code, coding, ignoreCase and default",
			doc: `name: t
lookups:
  sex: {ignoreCase: true, values: {M: {code: male}, F: {code: female}}}
  ms: {system: "http://ms.example", default: {code: UNK, system: "http://other.example"}, values: {S: {code: S, display: Single}}}
` + patientDoc(`      - {path: gender, column: G, lookup: sex}
      - {path: 'maritalStatus.coding[0]', column: M, lookup: ms, type: coding}
`)[8:],
			csv: "G,M\nm,S\nF,?\nX,S\n",
			want: []string{`{"resourceType":"Patient","id":"ID","gender":"male","maritalStatus":{"coding":[{"system":"http://ms.example","code":"S","display":"Single"}]}}`,
				`{"resourceType":"Patient","id":"ID","gender":"female","maritalStatus":{"coding":[{"system":"http://other.example","code":"UNK"}]}}`},
			wantErr: []string{`f.csv:4: column "G": "X" is not in lookup "sex"`},
		},
		{
			name: "fixed values of every JSON kind",
			doc: patientDoc(`      - {path: active, fixed: true}
      - {path: multipleBirthInteger, fixed: 2}
      - path: 'extension[0]'
        fixed: {url: "http://x.example/e", valueDecimal: 1.50}
      - {path: gender, column: G}
`),
			csv:  "G\nmale\n",
			want: []string{`{"resourceType":"Patient","id":"ID","active":true,"multipleBirthInteger":2,"extension":[{"url":"http://x.example/e","valueDecimal":1.50}],"gender":"male"}`},
		},
		{
			name: "validation errors name the column",
			doc:  patientDoc("      - {path: gender, column: G}\n      - {path: 'telecom[1].system', column: S}\n"),
			csv:  "G,S\nmal,phone\nfemale,pager2\n",
			wantErr: []string{`f.csv:2: column "G": invalid Patient: Patient.gender: `,
				`f.csv:3: column "S": invalid Patient: Patient.telecom[0].system: `},
		},
		{
			name:    "validation errors without a column name the resource",
			doc:     "name: t\nresources:\n  - alias: o\n    type: Observation\n    fields: [{path: code.text, column: T}]\n",
			csv:     "T\nglucose\n",
			wantErr: []string{`f.csv:2: resource "o": invalid Observation: Observation.status: required element is missing`},
		},
		{
			name: "validate false",
			doc:  "name: t\nvalidate: false\nresources:\n  - alias: o\n    type: Observation\n    fields: [{path: code.text, column: T}]\n",
			csv:  "T\nglucose\n",
			want: []string{`{"resourceType":"Observation","id":"ID","code":{"text":"glucose"}}`},
		},
		{
			name:    "csv syntax and field count errors skip the row only",
			doc:     patientDoc("      - {path: gender, column: G}\n      - {path: 'name[0].family', column: N}\n"),
			csv:     "G,N\nmale,a\"b\nfemale\nmale,Lee\nfemale,\"x\"y\n",
			want:    []string{`{"resourceType":"Patient","id":"ID","gender":"male","name":[{"family":"Lee"}]}`},
			wantErr: []string{`f.csv:2: CSV syntax: bare " in non-quoted-field (line 2, column 7)`, `f.csv:3: the row does not have the 2 fields of the header`, `f.csv:5: CSV syntax: extraneous or missing " in quoted-field (line 5, column 10)`},
		},
		{
			name: "optional column absent from the header",
			doc:  patientDoc("      - {path: gender, column: G}\n      - {path: 'name[0].given[1]', column: MIDDLE, optional: true}\n"),
			csv:  "G\nmale\n",
			want: []string{`{"resourceType":"Patient","id":"ID","gender":"male"}`},
		},
		{
			name:    "id template values must make a valid id",
			doc:     "name: t\nresources:\n  - alias: p\n    type: Patient\n    id: 'p-{{row.MRN}}'\n    fields: [{path: gender, column: G}]\n",
			csv:     "MRN,G\n1 2,male\n,male\n",
			wantErr: []string{`f.csv:2: column "MRN": id "p-1 2" is not a valid FHIR id`, `f.csv:3: column "MRN": the id template needs a value`},
		},
		{
			name: "conditional reference to a found-or-created patient",
			doc:  strings.Replace(labDoc, "create: CREATE", "create: true", 1),
			csv:  "MRN,ACC,TEST\n42,A1,glucose\n",
			want: []string{`{"resourceType":"Patient","id":"ID","identifier":[{"system":"http://h.example/mrn","value":"42"}]}`,
				`{"resourceType":"Observation","id":"o-A1","status":"final","code":{"text":"glucose"},"subject":{"reference":"Patient?identifier=http://h.example/mrn|42"}}`},
		},
		{
			name:    "create false only references",
			doc:     strings.Replace(labDoc, "create: CREATE", "create: false", 1),
			csv:     "MRN,ACC,TEST\n42,A1,glucose\n,A2,glucose\n",
			want:    []string{`{"resourceType":"Observation","id":"o-A1","status":"final","code":{"text":"glucose"},"subject":{"reference":"Patient?identifier=http://h.example/mrn|42"}}`},
			wantErr: []string{`f.csv:3: column "MRN": the identifier identifier[0] has no value`},
		},
		{
			name: "resource when, and references to a skipped resource",
			doc: `name: t
resources:
  - {alias: enc, type: Encounter, when: VISIT, key: [VISIT], fields: [{path: status, fixed: finished}, {path: class.code, column: VISIT}]}
  - alias: o
    type: Observation
    key: [ID]
    fields:
      - {path: status, fixed: final}
      - {path: code.text, column: T}
      - {path: encounter, ref: enc}
      - {path: 'focus[0]', ref: enc, required: true, when: FOCUS}
`,
			csv: "ID,VISIT,T,FOCUS\n1,,glucose,\n2,AMB,glucose,\n3,,glucose,y\n",
			want: []string{`{"resourceType":"Observation","id":"ID","status":"final","code":{"text":"glucose"}}`,
				`{"resourceType":"Encounter","id":"ID","status":"finished","class":{"code":"AMB"}}`,
				`{"resourceType":"Observation","id":"ID","status":"final","code":{"text":"glucose"},"encounter":{"reference":"Encounter/ID"}}`},
			wantErr: []string{`f.csv:4: column "VISIT": reference to "enc", which this row does not produce`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs, errs, st, err := run(t, tt.doc, tt.csv)
			require.NoError(t, err)
			got := bodies(outs)
			for i := range got {
				got[i] = hashedID.ReplaceAllString(got[i], "ID")
			}
			require.Equal(t, tt.want, got)
			require.Len(t, errs, len(tt.wantErr))
			for i := range errs {
				require.True(t, strings.HasPrefix(errs[i], tt.wantErr[i]), "error %d: %s", i, errs[i])
			}
			require.Equal(t, len(outs), st.Resources)
			require.LessOrEqual(t, st.Rejected, len(errs))
		})
	}
}

func TestConvertFileErrors(t *testing.T) {
	doc := patientDoc("      - {path: gender, column: G}\n      - {path: 'name[0].family', column: N}\n")
	tests := []struct {
		name    string
		csv     string
		wantErr string
	}{
		{"empty file", "", "f.csv: the file is empty (a header row is required)"},
		{"only a BOM", "\ufeff", "the file is empty"},
		{"missing columns", "X,Y\n1,2\n", `f.csv:1: the header lacks column(s) "G", "N" named by mapping "t"`},
		{"duplicate column", "G,N,G\nmale,x,female\n", `column(s) "G" appear more than once`},
		{"unreadable header", "G,\"N\n", "reading the header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs, errs, _, err := run(t, doc, tt.csv)
			require.ErrorIs(t, err, ErrHeader)
			require.ErrorContains(t, err, tt.wantErr)
			require.Empty(t, outs)
			require.Empty(t, errs)
		})
	}
}

// failingReader returns data, then an I/O error.
type failingReader struct{ data *strings.Reader }

func (r failingReader) Read(p []byte) (int, error) {
	if r.data.Len() == 0 {
		return 0, errors.New("disk on fire")
	}
	return r.data.Read(p)
}

func TestConvertStops(t *testing.T) {
	m, err := Load(strings.NewReader(patientDoc("      - {path: gender, column: G}\n")))
	require.NoError(t, err)
	csv := "G\nmale\nbad\nfemale\n"
	stop := errors.New("stop")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		src     func() *strings.Reader
		emit    func(Output) error
		reject  func(*RowError) error
		want    Stats
		wantErr error
	}{
		{"emit error", context.Background(), nil, func(Output) error { return stop }, nil, Stats{Rows: 1}, stop},
		{"reject error", context.Background(), nil, func(Output) error { return nil }, func(*RowError) error { return stop }, Stats{Rows: 2, Resources: 1, Rejected: 1}, stop},
		{"nil reject", context.Background(), nil, func(Output) error { return nil }, nil, Stats{Rows: 3, Resources: 2, Rejected: 1}, nil},
		{"canceled", canceled, nil, func(Output) error { return nil }, nil, Stats{}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := m.Convert(tt.ctx, strings.NewReader(csv), "f.csv", tt.emit, tt.reject)
			if tt.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.wantErr)
			}
			require.Equal(t, tt.want, st)
		})
	}
	_, err = m.Convert(context.Background(), failingReader{strings.NewReader(csv)}, "f.csv", func(Output) error { return nil }, nil)
	require.ErrorContains(t, err, "disk on fire")
	_, err = m.Convert(context.Background(), strings.NewReader(csv), "f.csv", nil, nil)
	require.ErrorContains(t, err, "needs an emit function")
}

func TestHashedIDs(t *testing.T) {
	doc := "name: t\nresources:\n  - alias: p\n    type: Patient\n    KEY\n    fields: [{path: gender, column: G}]\n"
	ids := func(doc, csv string) []string {
		outs, errs, _, err := run(t, doc, csv)
		require.NoError(t, err)
		require.Empty(t, errs)
		var s []string
		for _, o := range outs {
			require.Regexp(t, `^[0-9a-f]{32}$`, o.ID)
			s = append(s, o.ID)
		}
		return s
	}
	all := strings.Replace(doc, "KEY", "key: []", 1)
	byMRN := strings.Replace(doc, "KEY", "key: [MRN]", 1)
	a := ids(all, "MRN,G\n1,male\n1,female\n1,male\n")
	require.Equal(t, a[0], a[2], "same row, same id")
	require.NotEqual(t, a[0], a[1])
	require.Equal(t, a, ids(all, "G,MRN\nmale,1\nfemale,1\nmale,1\n"), "column order does not matter")
	b := ids(byMRN, "MRN,G\n1,male\n1,female\n2,male\n")
	require.Equal(t, b[0], b[1])
	require.NotEqual(t, b[0], b[2])
	require.NotEqual(t, b[0], a[0])
	renamed := ids(strings.Replace(byMRN, "name: t", "name: u", 1), "MRN,G\n1,male\n")
	require.NotEqual(t, b[0], renamed[0], "the mapping name is part of the hash")
}

func TestIdentifierQuery(t *testing.T) {
	tests := []struct {
		system, value, want string
	}{
		{"http://h.example/mrn", "123", "identifier=http://h.example/mrn|123"},
		{"", "123", "identifier=123"},
		{"urn:oid:1.2.3", "a b+c&d=e", "identifier=urn:oid:1.2.3|a%20b%2Bc%26d%3De"},
		{"http://h.example/a|b", "x,y$z\\w", `identifier=http://h.example/a%5C%7Cb|x%5C%2Cy%5C%24z%5C%5Cw`},
		{"s", "é#?%", "identifier=s|%C3%A9%23%3F%25"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			q := identifierQuery(tt.system, tt.value)
			require.Equal(t, tt.want, q)
			v, err := url.ParseQuery(q)
			require.NoError(t, err)
			got := v.Get("identifier")
			wantRaw := searchEscape(tt.value)
			if tt.system != "" {
				wantRaw = searchEscape(tt.system) + "|" + wantRaw
			}
			require.Equal(t, wantRaw, got, "percent-decoding gives the escaped token back")
		})
	}
}
