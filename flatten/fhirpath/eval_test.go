package fhirpath

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const evalResource = `{"resourceType":"Observation","id":"o1",
 "status":"final","subject":{"reference":"Patient/p1"},
 "encounter":{"reference":"urn:uuid:e1","type":"Encounter"},
 "performer":[{"reference":"http://x/fhir/Practitioner/dr/_history/2"},{"reference":"Organization?identifier=a|b"}],
 "code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic"},{"system":"http://snomed.info/sct","code":"271649006"}],"text":"SBP"},
 "valueQuantity":{"value":120.50,"unit":"mmHg"},
 "effectiveDateTime":"2019-05",
 "extension":[{"url":"http://e/a","valueString":"x"},{"url":"http://e/b","valueInteger":7}],
 "component":[{"valueInteger":1},{"valueInteger":2},{"valueString":"three"}],
 "note":[{"text":"A b"},{"text":"c"}],
 "specimen":{"reference":"#sp1"},"device":{"reference":"#nope"},
 "contained":[{"resourceType":"Specimen","id":"sp1","type":{"text":"blood"}}]}`

func TestEval(t *testing.T) {
	tests := []struct {
		expr    string
		want    string // items as JSON, separated by "|"; empty for an empty result
		wantErr string
	}{
		{expr: "id", want: `"o1"`},
		{expr: "Observation.status", want: `"final"`},
		{expr: "code.coding.code", want: `"8480-6"|"271649006"`},
		{expr: "code.coding[1].code", want: `"271649006"`},
		{expr: "code.coding[5].code", want: ``},
		{expr: "code.coding.where(system = 'http://loinc.org').display", want: `"Systolic"`},
		{expr: "code.coding.exists(system = 'x')", want: `false`},
		{expr: "code.coding.count()", want: `2`},
		{expr: "code.coding.first().code & '/' & code.coding.last().code", want: `"8480-6/271649006"`},
		{expr: "note.text.join(', ')", want: `"A b, c"`},
		{expr: "value.ofType(Quantity).value", want: `120.50`},
		{expr: "value.ofType(string)", want: ``},
		{expr: "value is Quantity", want: `true`},
		{expr: "(value as Quantity).unit", want: `"mmHg"`},
		{expr: "effective.ofType(dateTime).lowBoundary()", want: `"2019-05-01T00:00:00.000+14:00"`},
		{expr: "effective.ofType(dateTime).highBoundary()", want: `"2019-05-31T23:59:59.999-12:00"`},
		{expr: "value.ofType(Quantity).value.highBoundary()", want: `120.505`},
		{expr: "component.value.ofType(integer)", want: `1|2`},
		{expr: "component.value.ofType(integer).where($this > 1)", want: `2`},
		{expr: "component.select(value)", want: `1|2|"three"`},
		{expr: "component.value.ofType(integer).all($this > 0)", want: `true`},
		{expr: "extension('http://e/b').value", want: `7`},
		{expr: "extension('http://e/none').value", want: ``},
		{expr: "getResourceKey()", want: `"o1"`},
		{expr: "subject.getReferenceKey()", want: `"p1"`},
		{expr: "subject.getReferenceKey(Patient)", want: `"p1"`},
		{expr: "subject.getReferenceKey(Group)", want: ``},
		{expr: "encounter.getReferenceKey(Encounter)", want: `"e1"`},
		{expr: "performer.getReferenceKey()", want: `"dr"`},
		{expr: "1 + 2 * 3", want: `7`},
		{expr: "7 / 2", want: `3.5`},
		{expr: "7 div 2", want: `3`},
		{expr: "7 mod 2", want: `1`},
		{expr: "-(2 - 5)", want: `3`},
		{expr: "1.5 + 1", want: `2.5`},
		{expr: "'a' + 'b'", want: `"ab"`},
		{expr: "1 = 1.0", want: `true`},
		{expr: "1 != 2", want: `true`},
		{expr: "{} = 1", want: ``},
		{expr: "'abc' < 'abd'", want: `true`},
		{expr: "true and {}", want: ``},
		{expr: "false and {}", want: `false`},
		{expr: "true or {}", want: `true`},
		{expr: "true xor true", want: `false`},
		{expr: "false implies {}", want: `true`},
		{expr: "status.empty().not()", want: `true`},
		{expr: "iif(status = 'final', 'yes', 'no')", want: `"yes"`},
		{expr: "(1 | 2 | 1)", want: `1|2`},
		{expr: "2 in (1 | 2)", want: `true`},
		{expr: "(1 | 2) contains 3", want: `false`},
		{expr: "'Hello'.lower().upper().substring(1, 3)", want: `"ELL"`},
		{expr: "'Hello'.startsWith('He') and 'Hello'.endsWith('lo') and 'Hello'.contains('ll')", want: `true`},
		{expr: "'Hello'.length()", want: `5`},
		{expr: "note.text.distinct().count()", want: `2`},
		{expr: "note.skip(1).text | note.take(1).text", want: `"c"|"A b"`},
		{expr: "note.tail().text", want: `"c"`},
		{expr: "@2019-01-01", want: `"2019-01-01"`},
		{expr: "%rowIndex", want: `4`},
		{expr: "%k", want: `"const"`},
		{expr: "%resource.id", want: `"o1"`},
		{expr: "$this.id", want: `"o1"`},
		{expr: "'a' ~ 'A'", want: `true`},
		{expr: "note.single()", wantErr: "single() on 2 items"},
		{expr: "note.text < 'x'", wantErr: "needs single items"},
		{expr: "%missing", wantErr: "undefined variable %missing"},
		{expr: "nosuch()", wantErr: "unknown function nosuch()"},
		{expr: "1 + 'a'", wantErr: `needs numbers`},
		{expr: "first(1)", wantErr: "first() takes 0 to 0 arguments"},
		{expr: "value.as(Quantity).unit", want: `"mmHg"`},
		{expr: "value.as(FHIR.Quantity).unit", want: `"mmHg"`},
		{expr: "value.as(string)", want: ``},
		{expr: "component.value.as(integer)", want: `1|2`},
		{expr: "effective.as(DateTime)", want: `"2019-05"`},
		{expr: "effective.as(dateTime)", want: `"2019-05"`},
		{expr: "value.is(Quantity)", want: `true`},
		{expr: "value.is(Period)", want: `false`},
		{expr: "performer.is(Reference)", wantErr: "is() needs a single item, got 2"},
		{expr: "nothing.is(Reference)", want: ``},
		{expr: "subject.resolve() is Patient", want: `true`},
		{expr: "subject.resolve().is(Group)", want: `false`},
		{expr: "subject.resolve().id", want: `"p1"`},
		{expr: "subject.where(resolve() is Patient).reference", want: `"Patient/p1"`},
		{expr: "encounter.resolve() is Encounter", want: `true`},
		{expr: "performer.resolve()", want: `{"resourceType":"Practitioner","id":"dr"}`},
		{expr: "performer.where(resolve() is Organization)", want: ``},
		{expr: "specimen.resolve().type.text", want: `"blood"`},
		{expr: "device.resolve()", want: ``},
		{expr: "code.resolve()", want: ``},
		{expr: "Resource.id", want: `"o1"`},
		{expr: "DomainResource.status", want: `"final"`},
		{expr: "Patient.id", want: ``},
		{expr: "value.as('Quantity')", wantErr: "as() needs a type name"},
		{expr: "value.is('Quantity')", wantErr: "is() needs a type name"},
	}
	var d Decoder
	res, err := d.Decode([]byte(evalResource))
	require.NoError(t, err)
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := Parse(tc.expr)
			require.NoError(t, err)
			env := &Env{Resource: res, RowIndex: 4, Constants: map[string]Collection{"k": String("const")}}
			got, err := Eval(e, env, Collection{{N: res}})
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			parts := make([]string, len(got))
			for i, v := range got {
				parts[i] = v.N.String()
			}
			require.Equal(t, tc.want, strings.Join(parts, "|"))
		})
	}
}

func TestDecoder(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{in: `{"a":[1,-2.5e3,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"],"b":{}}`, want: `{"a":[1,-2.5e3,true,false,null,"x\"\\/\u0008\u000c\n\r\té😀"],"b":{}}`},
		{in: `  []  `, want: `[]`},
		{in: `{"a":1,}`, wantErr: "expected a field name"},
		{in: `{"a" 1}`, wantErr: "expected ':'"},
		{in: `[1 2]`, wantErr: "expected ',' or ']'"},
		{in: `1x`, wantErr: "unexpected data after the JSON value"},
		{in: `01`, wantErr: "invalid number"},
		{in: `-`, wantErr: "invalid number"},
		{in: `1.`, wantErr: "invalid number"},
		{in: `"abc`, wantErr: "unterminated string"},
		{in: "\"a\x01\"", wantErr: "control character"},
		{in: `"\x"`, wantErr: "invalid escape"},
		{in: `nul`, wantErr: "invalid character"},
		{in: ``, wantErr: "unexpected end of input"},
		{in: strings.Repeat("[", 600) + strings.Repeat("]", 600), wantErr: "nesting deeper than 512"},
	}
	var d Decoder
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			n, err := d.Decode([]byte(tc.in))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, n.String())
		})
	}
}
