package fhirpath

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRequiredStrings(t *testing.T) {
	for _, tt := range []struct {
		expr     string
		want     [][]string
		wantSafe bool
	}{
		{"code.coding.exists(system = 'http://loinc.org' and code = '85354-9')", [][]string{{"http://loinc.org"}, {"85354-9"}}, true},
		{"status = 'final'", [][]string{{"final"}}, true},
		{"'final' = status", [][]string{{"final"}}, true},
		{"status = 'final' and id = 'x'", [][]string{{"final"}, {"x"}}, true},
		{"status = 'final' or status = 'amended'", [][]string{{"final", "amended"}}, true},
		{"status = 'final' or id.exists()", nil, true},
		{"code.coding.where(code = 'a').exists()", [][]string{{"a"}}, true},
		{"code.coding.where(code = 'a').code.exists()", [][]string{{"a"}}, true},
		{"code.coding.first().code = 'a'", [][]string{{"a"}}, true},
		{"(status = 'final').not()", nil, true},
		{"status.empty()", nil, true},
		{"true", nil, true},
		{"status != 'final'", nil, true},
		{"$this.status = 'final'", [][]string{{"final"}}, true},
		// Unsafe: may fail, may be true without the string, or not boolean.
		{"status.not()", nil, false},
		{"status", nil, false},
		{"status = 'a' and status", nil, false},
		{"status ~ 'final'", nil, false},
		{"status.lower() = 'final'", nil, false},
		{"%resource.status = 'final'", nil, false},
		{"status = %c", nil, false},
		{"value.ofType(Quantity).value > 100", nil, false},
		{"code.coding.code.single() = 'a'", nil, false},
		{"$index = 'a'", nil, false},
		// Safe, but the literal is not plain JSON text.
		{`status = 'fi"nal'`, nil, true},
		{`status = 'fi\\nal'`, nil, true},
		{"status = 'a\tb'", nil, true},
		{"status = 1", nil, true},
	} {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := Parse(tt.expr)
			require.NoError(t, err)
			got, safe := RequiredStrings(e)
			require.Equal(t, tt.wantSafe, safe)
			require.Equal(t, tt.want, got)
		})
	}
}
