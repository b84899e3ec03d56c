package fhirpath

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		input  string
		want   string // expected AST, printed with String
		fail   bool
		errMsg string
	}{
		{input: "name", want: "name"},
		{input: "name.given", want: "name.given"},
		{input: "Patient.name.family", want: "Patient.name.family"},
		{input: "name[0].family", want: "name[0].family"},
		{input: "name[%name_index].family", want: "name[%name_index].family"},
		{input: "$this", want: "$this"},
		{input: "name.where(use = 'official').family", want: "name.where((use = 'official')).family"},
		{input: "a and b or c", want: "((a and b) or c)"},
		{input: "a or b and c", want: "(a or (b and c))"},
		{input: "a implies b xor c", want: "(a implies (b xor c))"},
		{input: "1 + 2 * 3", want: "(1 + (2 * 3))"},
		{input: "(1 + 2) * 3", want: "((1 + 2) * 3)"},
		{input: "10 div 3 mod 2", want: "((10 div 3) mod 2)"},
		{input: "-5", want: "-5"},
		{input: "- a.b", want: "-a.b"},
		{input: "-(1)", want: "-1"},
		{input: "a - -5", want: "(a - -5)"},
		{input: "'a' & 'b'", want: "('a' & 'b')"},
		{input: "a = b and c != d", want: "((a = b) and (c != d))"},
		{input: "a < b = true", want: "((a < b) = true)"},
		{input: "a | b = c", want: "((a | b) = c)"},
		{input: "a is Quantity", want: "(a is Quantity)"},
		{input: "a as FHIR.Quantity", want: "(a as FHIR.Quantity)"},
		{input: "a + b is Integer", want: "((a + b) is Integer)"},
		{input: "value.ofType(Quantity).value", want: "value.ofType(Quantity).value"},
		{input: "extension('http://x').value", want: "extension('http://x').value"},
		{input: "getReferenceKey(Patient)", want: "getReferenceKey(Patient)"},
		{input: "name.given.join(', ' )", want: "name.given.join(', ')"},
		{input: "'it\\'s'", want: "'it\\'s'"},
		{input: "`div`.x", want: "`div`.x"},
		{input: "a.`given name`", want: "a.`given name`"},
		{input: "a.contains('x')", want: "a.`contains`('x')"},
		{input: "x contains 'y'", want: "(x contains 'y')"},
		{input: "{}", want: "{}"},
		{input: "true and false", want: "(true and false)"},
		{input: "@2019-01-01", want: "@2019-01-01"},
		{input: "@2019-01-01T10:00:00.000+01:00", want: "@2019-01-01T10:00:00.000+01:00"},
		{input: "@T10:30", want: "@T10:30"},
		{input: "@2019.lowBoundary()", want: "(@2019).lowBoundary()"},
		{input: "1.5.floor", want: "(1.5).floor"},
		{input: "%`vs-name`", want: "%`vs-name`"},
		{input: "a // comment\n.b", want: "a.b"},
		{input: "a /* c */ + b", want: "(a + b)"},
		{input: "iif(a, 'x', 'y')", want: "iif(a, 'x', 'y')"},

		{input: "", fail: true, errMsg: "unexpected end of expression at offset 0"},
		{input: "@@", fail: true, errMsg: "invalid date/time literal at offset 0"},
		{input: "a.", fail: true, errMsg: "expected a name after '.', found end of expression at offset 2"},
		{input: "a +", fail: true, errMsg: "unexpected end of expression at offset 3"},
		{input: "(a", fail: true, errMsg: `expected ")", found end of expression at offset 2`},
		{input: "a b", fail: true, errMsg: `unexpected "b" at offset 2`},
		{input: "f(a b)", fail: true, errMsg: `expected ',' or ')', found "b" at offset 4`},
		{input: "'abc", fail: true, errMsg: "unterminated quoted text at offset 0"},
		{input: "a ^ b", fail: true, errMsg: `unexpected character '^' at offset 2`},
		{input: "$foo", fail: true, errMsg: `unknown special variable "$foo" at offset 0`},
		{input: "% x", fail: true, errMsg: "expected a name after '%' at offset 0"},
		{input: "and", fail: true, errMsg: `unexpected "and" at offset 0`},
		{input: "a is 5", fail: true, errMsg: `expected a type name, found "5" at offset 5`},
		{input: "a[1", fail: true, errMsg: `expected "]", found end of expression at offset 3`},
		{input: "/* x", fail: true, errMsg: "unterminated comment at offset 0"},
		{input: strings.Repeat("(", 20001) + "a" + strings.Repeat(")", 20001), fail: true, errMsg: "nested too deeply"},
	}
	for _, tc := range tests {
		t.Run(tc.input, func(t *testing.T) {
			e, err := Parse(tc.input)
			if tc.fail {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.errMsg)
				var se *SyntaxError
				require.True(t, errors.As(err, &se))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, e.String())
			again, err := Parse(e.String())
			require.NoError(t, err)
			require.Equal(t, tc.want, again.String())
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"name.given", "name.where(use = 'official').family.first()", "a and b or not c",
		"value.ofType(Quantity).value < %v", "-1.5 + 2 * 3 div 4 mod 5", "@2019-01-01T10:00Z",
		"`a b`.c[0]", "%`x y` & 'z\\n'", "a is FHIR.Quantity", "{}", "$this.x",
		"iif(a, b, c)", "a | b", "x ~ y !~ z", "getReferenceKey(Patient)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 10<<10 {
			return
		}
		e, err := Parse(s)
		if err != nil {
			return
		}
		printed := e.String()
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("reparse of %q (printed %q): %v", s, printed, err)
		}
		if again.String() != printed {
			t.Fatalf("round trip of %q: %q != %q", s, again.String(), printed)
		}
	})
}
