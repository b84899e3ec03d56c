package csvmap

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/fhir/r4"
)

// maxFuzzInput caps fuzz inputs; larger ones test nothing new.
const maxFuzzInput = 10 << 10

// FuzzLoad checks that no mapping document makes Load panic, and that
// every failure wraps ErrMapping.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{"testdata/patients.yaml", "testdata/labs.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(patientDoc("      - {path: 'name[0].given[1]', template: '{{row.A}} x', when: B}\n"))
	f.Add("name: t\nx: &a [*a]\n")
	f.Fuzz(func(t *testing.T, doc string) {
		if len(doc) > maxFuzzInput {
			return
		}
		m, err := Load(strings.NewReader(doc))
		if err != nil {
			if !strings.HasPrefix(err.Error(), ErrMapping.Error()) {
				t.Fatalf("error does not wrap ErrMapping: %v", err)
			}
			return
		}
		if m.Name() == "" || len(m.resources) == 0 {
			t.Fatalf("loaded an incomplete mapping")
		}
	})
}

// FuzzConvert feeds arbitrary CSV to the lab mapping: no panic, every row
// error names a line (and a column when one cell is at fault), and every
// output is a valid resource.
func FuzzConvert(f *testing.F) {
	m, err := LoadFile("testdata/labs.json")
	if err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile("testdata/labs.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(seed))
	f.Add("\ufeffMRN;ACCESSION;TEST_CODE;RESULT;UNIT;COLLECTED;RESULTED;STATUS;TEST_NAME\n1;\"a\"\"b\";GLU;1e3;;;;F;x\n")
	f.Add("MRN;ACCESSION;TEST_CODE;RESULT;UNIT;COLLECTED;RESULTED;STATUS;TEST_NAME\n\"1\n")
	f.Fuzz(func(t *testing.T, csv string) {
		if len(csv) > maxFuzzInput {
			return
		}
		lines := strings.Count(csv, "\n") + strings.Count(csv, "\r") + 1
		st, err := m.Convert(context.Background(), strings.NewReader(csv), "f.csv",
			func(o Output) error {
				if issues := r4.Validate(o.Resource); len(issues) > 0 {
					t.Fatalf("invalid output %s: %v", o.Resource, issues)
				}
				if o.Line < 2 || o.Line > lines {
					t.Fatalf("output line %d out of range", o.Line)
				}
				return nil
			},
			func(re *RowError) error {
				if re.Line < 2 || re.Line > lines {
					t.Fatalf("error line %d out of range: %v", re.Line, re)
				}
				if re.Column == "" && re.Resource == "" && !strings.Contains(re.Error(), "CSV syntax") && !strings.Contains(re.Error(), "fields of the header") {
					t.Fatalf("error names neither a column nor a resource: %v", re)
				}
				if !strings.HasPrefix(re.Error(), "f.csv:") {
					t.Fatalf("error does not name the file: %v", re)
				}
				return nil
			})
		if err != nil && st.Rows > 0 {
			t.Fatalf("error after %d rows: %v", st.Rows, err)
		}
	})
}
