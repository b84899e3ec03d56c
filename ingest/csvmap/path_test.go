package csvmap

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		in      string
		want    elemPath
		wantErr string
	}{
		{"gender", elemPath{{"gender", -1}}, ""},
		{"name[0].given[12]", elemPath{{"name", 0}, {"given", 12}}, ""},
		{"valueQuantity.value", elemPath{{"valueQuantity", -1}, {"value", -1}}, ""},
		{"_birthDate.extension[0].url", elemPath{{"_birthDate", -1}, {"extension", 0}, {"url", -1}}, ""},
		{"", nil, "empty path"},
		{"a.", nil, `"" is not an element name`},
		{"1a", nil, `"1a" is not an element name`},
		{"a-b", nil, `"a-b" is not an element name`},
		{"a[]", nil, "expected name[index]"},
		{"a[1", nil, "expected name[index]"},
		{"a[1]x", nil, "expected name[index]"},
		{"a[-1]", nil, "expected name[index]"},
		{"a[01]", nil, "index must be a number"},
		{"a[1000]", nil, "index must be a number from 0 to 999"},
		{"a[1][2]", nil, "index must be a number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parsePath(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.in, got.String())
		})
	}
}

func TestTemplate(t *testing.T) {
	cells := map[string]string{"A": "1", "B C": "two", "E": ""}
	cell := func(c string) string { return cells[c] }
	tests := []struct {
		in         string
		want       string
		wantEmpty  string
		wantFilled bool
		wantErr    string
	}{
		{"lab-{{row.A}}", "lab-1", "", true, ""},
		{"{{ row.B C }}/{{row.A}}", "two/1", "", true, ""},
		{"x{{row.E}}y", "xy", "E", false, ""},
		{"{{row.A}}{{row.E}}", "1", "E", true, ""},
		{"plain", "", "", false, "names no column"},
		{"{{row.A}", "", "", false, "is not closed"},
		{"a}}{{row.A}}", "", "", false, `"}}" without "{{"`},
		{"{{row.A}}}}", "", "", false, `"}}" without "{{"`},
		{"{{A}}", "", "", false, "expected {{row.COLUMN}}"},
		{"{{row.}}", "", "", false, "expected {{row.COLUMN}}"},
		{"{{row.{{A}}", "", "", false, "expected {{row.COLUMN}}"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tp, err := parseTemplate(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			got, empty, filled := tp.render(cell)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.wantEmpty, empty)
			require.Equal(t, tt.wantFilled, filled)
		})
	}
}
