package csvmap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// patientDoc wraps fields (YAML lines indented by 6) in a one-resource
// mapping.
func patientDoc(fields string) string {
	return "name: t\nresources:\n  - alias: p\n    type: Patient\n    fields:\n" + fields
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wantErr string
	}{
		{"empty", "", "the document is empty"},
		{"not a mapping", "[1, 2]", "line 1: cannot unmarshal !!seq"},
		{"unknown top key", "name: t\nresource: []\n", `line 2: unknown key "resource"`},
		{"unknown field key", patientDoc("      - {path: gender, colum: SEX}\n"), `line 6: unknown key "colum"`},
		{"two documents", "name: t\n---\nname: u\n", "line 2: only one document is allowed"},
		{"no name", "resources: []\n", "name is required"},
		{"no resources", "name: t\n", "at least one resource is required"},
		{"bad delimiter", "name: t\ndelimiter: ';;'\n", `delimiter ";;"`},
		{"quote delimiter", "name: t\ndelimiter: '\"'\n", "delimiter"},
		{"no alias", "name: t\nresources:\n  - type: Patient\n    fields: [{path: gender, column: S}]\n", "line 3: resource: alias is required"},
		{"bad type", "name: t\nresources:\n  - alias: p\n    type: Patients\n    fields: [{path: gender, column: S}]\n", `line 3: resource "p": type "Patients" is not an R4 resource type`},
		{"duplicate alias", "name: t\nresources:\n  - {alias: p, type: Patient, fields: [{path: gender, column: S}]}\n  - {alias: p, type: Patient, fields: [{path: gender, column: S}]}\n", `line 4: alias "p" is used twice`},
		{"no fields", "name: t\nresources:\n  - {alias: p, type: Patient}\n", "at least one field is required"},
		{"id and key", "name: t\nresources:\n  - {alias: p, type: Patient, id: 'x{{row.A}}', key: [A], fields: [{path: gender, column: S}]}\n", "id and key exclude each other"},
		{"bad id template", "name: t\nresources:\n  - {alias: p, type: Patient, id: 'x{{A}}', fields: [{path: gender, column: S}]}\n", "expected {{row.COLUMN}}"},
		{"create without ifNoneExist", "name: t\nresources:\n  - {alias: p, type: Patient, create: false, fields: [{path: gender, column: S}]}\n", "create: false needs ifNoneExist"},
		{"ifNoneExist without value", "name: t\nresources:\n  - {alias: p, type: Patient, ifNoneExist: 'identifier[0]', fields: [{path: 'identifier[0].system', column: S}]}\n", "no field writes identifier[0].value"},
		{"bad path", patientDoc("      - {path: 'name[x].family', column: N}\n"), `line 6: resource "p" field 1: path "name[x].family"`},
		{"path index too big", patientDoc("      - {path: 'name[1000]', column: N}\n"), "index must be a number from 0 to 999"},
		{"path empty segment", patientDoc("      - {path: 'name..family', column: N}\n"), `"" is not an element name`},
		{"path id", patientDoc("      - {path: id, column: N}\n"), "resourceType and id are set by the resource"},
		{"two sources", patientDoc("      - {path: gender, column: S, fixed: male}\n"), "exactly one of column, template, fixed and ref"},
		{"no source", patientDoc("      - {path: gender}\n"), "exactly one of column, template, fixed and ref"},
		{"same path twice", patientDoc("      - {path: gender, column: S}\n      - {path: gender, column: T}\n"), `line 7: resource "p" field 2: path "gender" is written by two fields`},
		{"array and object", patientDoc("      - {path: 'name[0].family', column: S}\n      - {path: name.family, column: T}\n"), `path "name.family" conflicts with path "name[0].family"`},
		{"leaf and object", patientDoc("      - {path: 'name[0]', fixed: {family: X}}\n      - {path: 'name[0].given[0]', column: T}\n"), "conflicts with path"},
		{"unknown type", patientDoc("      - {path: gender, column: S, type: text}\n"), `unknown type "text"`},
		{"format on string", patientDoc("      - {path: gender, column: S, format: YYYY}\n"), "format and timezone apply to date"},
		{"unknown lookup", patientDoc("      - {path: gender, column: S, lookup: sex}\n"), `lookup "sex" is not defined`},
		{"lookup with decimal", "name: t\nlookups: {sex: {values: {M: {code: male}}}}\n" + patientDoc("      - {path: gender, column: S, lookup: sex, type: decimal}\n")[8:], "a lookup writes type code or coding"},
		{"coding without lookup", patientDoc("      - {path: 'maritalStatus.coding[0]', column: S, type: coding}\n"), "type coding needs a lookup"},
		{"lookup without code", "name: t\nlookups:\n  sex:\n    values: {M: {display: Male}}\n", `line 3: lookup "sex" value "M": code is required`},
		{"empty lookup", "name: t\nlookups:\n  sex: {}\n", `lookup "sex" has no values`},
		{"fixed null", patientDoc("      - {path: gender, fixed: null}\n"), "null is not allowed"},
		{"fixed empty string", patientDoc("      - {path: gender, fixed: ''}\n"), "empty strings are not allowed"},
		{"fixed nan", patientDoc("      - {path: multipleBirthInteger, fixed: .nan}\n"), "is not a JSON number"},
		{"fixed with type", patientDoc("      - {path: gender, fixed: male, type: code}\n"), "a fixed value takes no type"},
		{"optional fixed", patientDoc("      - {path: gender, fixed: male, optional: true}\n"), "optional applies to column fields only"},
		{"ref unknown", patientDoc("      - {path: managingOrganization, ref: org}\n"), `ref "org" names no resource`},
		{"ref self", patientDoc("      - {path: 'link[0].other', ref: p}\n"), "cannot refer to itself"},
		{"ref with type", patientDoc("      - {path: 'link[0].other', ref: p, type: string}\n"), "a ref takes no type"},
		{"alias bomb", "name: t\nx: &a [1,1,1,1,1,1,1,1,1,1]\n", `unknown key "x"`},
		{"alias bomb in fixed", patientDoc("      - path: 'extension[0]'\n        fixed: {a: &a [xxxxxxxx,xxxxxxxx,xxxxxxxx,xxxxxxxx], b: &b [*a,*a,*a,*a,*a,*a,*a,*a], c: &c [*b,*b,*b,*b,*b,*b,*b,*b], " +
			"d: &d [*c,*c,*c,*c,*c,*c,*c,*c], e: &e [*d,*d,*d,*d,*d,*d,*d,*d], f: &f [*e,*e,*e,*e,*e,*e,*e,*e], g: [*f,*f,*f,*f,*f,*f,*f,*f]}\n"),
			"fixed value is larger than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.doc))
			require.ErrorIs(t, err, ErrMapping)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		columns map[string]bool
	}{
		{"yaml", patientDoc("      - {path: gender, column: SEX}\n      - {path: 'name[0].given[0]', column: MIDDLE, optional: true}\n"),
			map[string]bool{"SEX": false, "MIDDLE": true}},
		{"json with tabs", "{\n\t\"name\": \"t\",\n\t\"resources\": [{\"alias\": \"p\", \"type\": \"Patient\",\n\t\t\"fields\": [{\"path\": \"gender\", \"column\": \"SEX\"}]}]\n}\n",
			map[string]bool{"SEX": false}},
		{"template, when, id and key columns", "name: t\nresources:\n  - alias: p\n    type: Patient\n    key: [K]\n    when: W\n    fields:\n      - {path: 'name[0].text', template: '{{row.A}} {{ row.B }}', when: C}\n",
			map[string]bool{"K": false, "W": false, "A": false, "B": false, "C": false}},
		{"optional and required use", patientDoc("      - {path: gender, column: S, optional: true}\n      - {path: 'name[0].family', column: S}\n"),
			map[string]bool{"S": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Load(strings.NewReader(tt.doc))
			require.NoError(t, err)
			require.Equal(t, "t", m.Name())
			require.Equal(t, tt.columns, m.Columns())
		})
	}
}

func TestLoadFile(t *testing.T) {
	_, err := LoadFile(filepath.Join(t.TempDir(), "missing.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("name: t\nbogus: 1\n"), 0o644))
	_, err = LoadFile(bad)
	require.ErrorIs(t, err, ErrMapping)
	require.ErrorContains(t, err, "bad.yaml: csvmap: invalid mapping: line 2: unknown key \"bogus\"")
}
