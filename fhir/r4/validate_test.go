package r4

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	obs = `"resourceType":"Observation","status":"final","code":{"text":"x"}`
	pat = `"resourceType":"Patient"`
)

func TestValidateBadInputs(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // "code expression", in document order
	}{
		{"valid observation", `{` + obs + `,"valueQuantity":{"value":1.5e2,"unit":"mg"}}`, nil},
		{"invalid JSON", `{"resourceType":`, []string{"structure "}},
		{"not an object", `[]`, []string{"structure "}},
		{"missing resourceType", `{"id":"a"}`, []string{"required resourceType"}},
		{"unknown resourceType", `{"resourceType":"Patiant"}`, []string{"invalid resourceType"}},
		{"abstract resourceType", `{"resourceType":"DomainResource"}`, []string{"invalid resourceType"}},
		{"wrong date", `{` + pat + `,"birthDate":"1970-13-01"}`, []string{"value Patient.birthDate"}},
		{"30 February", `{` + pat + `,"birthDate":"2019-02-30"}`, []string{"value Patient.birthDate"}},
		{"dateTime in a date", `{` + pat + `,"birthDate":"2019-02-03T10:00:00Z"}`, []string{"value Patient.birthDate"}},
		{"instant without zone", `{` + obs + `,"issued":"2020-01-01T00:00:00"}`, []string{"value Observation.issued"}},
		{"bad time", `{` + obs + `,"valueTime":"25:00:00"}`, []string{"value Observation.valueTime"}},
		{"bad id", `{` + pat + `,"id":"bad id!"}`, []string{"value Patient.id"}},
		{"bad uri", `{` + pat + `,"implicitRules":"a b"}`, []string{"value Patient.implicitRules"}},
		{"bad code format", `{` + pat + `,"gender":" male"}`, []string{"value Patient.gender"}},
		{"code outside required value set", `{` + pat + `,"gender":"m"}`, []string{"code-invalid Patient.gender"}},
		{"bad reference", `{` + obs + `,"subject":{"reference":"Patient"}}`, []string{"value Observation.subject.reference"}},
		{"reference to unknown type", `{` + obs + `,"subject":{"reference":"Pateint/1"}}`, []string{"value Observation.subject.reference"}},
		{"bad urn:uuid reference", `{` + obs + `,"subject":{"reference":"urn:uuid:XYZ"}}`, []string{"value Observation.subject.reference"}},
		{"good references", `{` + obs + `,"subject":{"reference":"Patient/1/_history/2"},"performer":[{"reference":"#p1"},{"reference":"https://x.org/fhir/Practitioner/1"},{"reference":"Practitioner?identifier=a|b"},{"reference":"urn:oid:1.2.3"}]}`, nil},
		{"unknown element", `{` + pat + `,"nmae":[{"family":"X"}]}`, []string{"structure Patient.nmae"}},
		{"missing required", `{"resourceType":"Observation","code":{"text":"x"}}`, []string{"required Observation.status"}},
		{"missing required in backbone", `{` + pat + `,"link":[{"type":"seealso"}]}`, []string{"required Patient.link[0].other"}},
		{"array where single", `{` + pat + `,"gender":["male"]}`, []string{"structure Patient.gender"}},
		{"single where array", `{` + pat + `,"name":{"family":"X"}}`, []string{"structure Patient.name"}},
		{"choice type not allowed", `{` + obs + `,"valueAddress":{"city":"X"}}`, []string{"structure Observation.valueAddress"}},
		{"two choice variants", `{` + obs + `,"valueString":"a","valueBoolean":true}`, []string{"invalid Observation.valueBoolean"}},
		{"integer overflow", `{` + pat + `,"multipleBirthInteger":2147483648}`, []string{"value Patient.multipleBirthInteger"}},
		{"integer with fraction", `{` + pat + `,"multipleBirthInteger":1.5}`, []string{"value Patient.multipleBirthInteger"}},
		{"negative unsignedInt", `{` + pat + `,"photo":[{"size":-1}]}`, []string{"value Patient.photo[0].size"}},
		{"decimal as string", `{` + obs + `,"valueQuantity":{"value":"1.0"}}`, []string{"structure Observation.valueQuantity.value"}},
		{"boolean as string", `{` + pat + `,"active":"true"}`, []string{"structure Patient.active"}},
		{"object where primitive", `{` + pat + `,"gender":{"code":"male"}}`, []string{"structure Patient.gender"}},
		{"string where object", `{` + pat + `,"maritalStatus":"M"}`, []string{"structure Patient.maritalStatus"}},
		{"null", `{` + pat + `,"active":null}`, []string{"structure Patient.active"}},
		{"null in array", `{` + pat + `,"name":[null]}`, []string{"structure Patient.name[0]"}},
		{"empty string", `{` + pat + `,"name":[{"given":["A",""]}]}`, []string{"value Patient.name[0].given[1]"}},
		{"empty array", `{` + pat + `,"name":[]}`, []string{"structure Patient.name"}},
		{"empty object", `{` + pat + `,"maritalStatus":{}}`, []string{"structure Patient.maritalStatus"}},
		{"extension without url", `{` + pat + `,"extension":[{"valueString":"x"}]}`, []string{"required Patient.extension[0].url"}},
		{"primitive extension ok", `{` + pat + `,"birthDate":"1970","_birthDate":{"extension":[{"url":"http://x","valueDateTime":"1970-01-01T10:00:00Z"}]},"name":[{"given":["A",null],"_given":[null,{"id":"g2","extension":[{"url":"http://x","valueCode":"IN"}]}]}]}`, nil},
		{"primitive extension only satisfies min", `{"resourceType":"Observation","_status":{"extension":[{"url":"http://x","valueString":"y"}]},"code":{"text":"x"}}`, nil},
		{"bad primitive extension kind", `{` + pat + `,"_birthDate":"x"}`, []string{"structure Patient.birthDate"}},
		{"bad primitive extension member", `{` + pat + `,"_birthDate":{"value":"1970"}}`, []string{"structure Patient.birthDate.value"}},
		{"primitive extension on complex", `{` + pat + `,"_name":[{"id":"x"}]}`, []string{"structure Patient.name"}},
		{"null given without extension", `{` + pat + `,"name":[{"given":["A",null]}]}`, []string{"structure Patient.name[0].given[1]"}},
		{"misaligned _given", `{` + pat + `,"name":[{"given":["A","B"],"_given":[{"id":"x"}]}]}`, []string{"structure Patient.name[0].given"}},
		{"nested contained errors", `{` + pat + `,"contained":[{"resourceType":"Organization","id":"o1"},{"resourceType":"Observation","id":"o2","code":{"text":"x"},"effectiveDateTime":"2020-02-31"}]}`,
			[]string{"value Patient.contained[1].effectiveDateTime", "required Patient.contained[1].status"}},
		{"contained unknown type", `{` + pat + `,"contained":[{"resourceType":"Foo"}]}`, []string{"invalid Patient.contained[0].resourceType"}},
		{"bundle entry resource errors", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{` + pat + `},"request":{"method":"POST","url":"Patient"}},{"fullUrl":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a","resource":{` + pat + `,"birthDate":"1970-1-1"},"request":{"method":"PUT"}}]}`,
			[]string{"value Bundle.entry[1].resource.birthDate", "required Bundle.entry[1].request.url"}},
		{"bundle entry resource not an object", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":"Patient/1"}]}`, []string{"structure Bundle.entry[0].resource"}},
		{"parameters resource", `{"resourceType":"Parameters","parameter":[{"name":"p","resource":{"resourceType":"Observation","code":{"text":"x"}}}]}`, []string{"required Parameters.parameter[0].resource.status"}},
		{"content reference", `{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"1","type":"group","item":[{"type":"string","repeats":"no"}]}]}`,
			[]string{"structure Questionnaire.item[0].item[0].repeats", "required Questionnaire.item[0].item[0].linkId"}},
		{"repeated member", `{` + pat + `,"gender":"male","gender":"female"}`, []string{"structure Patient.gender"}},
		{"repeated choice variant with its extension", `{` + obs + `,"valueString":"a","_valueString":{"id":"x"},"valueString":"b"}`, []string{"structure Observation.valueString"}},
		{"resourceType in a datatype", `{` + pat + `,"maritalStatus":{"resourceType":"CodeableConcept","text":"x"}}`, []string{"structure Patient.maritalStatus.resourceType"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issues := Validate([]byte(tt.body))
			var got []string
			for _, is := range issues {
				require.Equal(t, "error", is.Severity)
				expr := strings.Join(is.Expression, ",")
				got = append(got, is.Code+" "+expr)
				require.True(t, strings.HasPrefix(is.Diagnostics, expr), "diagnostics %q should start with %q", is.Diagnostics, expr)
			}
			require.Equal(t, tt.want, got, "issues: %+v", issues)
		})
	}
}

func TestValidateIssueLimit(t *testing.T) {
	body := `{"resourceType":"Patient","name":[{"given":["` + strings.Repeat(`1970","`, 1500) + `x"],"_given":[{"id":"a"}]}]}`
	issues := Validate([]byte(`{"resourceType":"Patient","name":[{"given":[` + strings.Repeat(`null,`, 1500) + `"x"]}]}`))
	require.Len(t, issues, maxIssues+1)
	require.Equal(t, "too-costly", issues[maxIssues].Code)
	require.Equal(t, "Patient.name[0].given[0]", issues[0].Expression[0])
	require.Len(t, Validate([]byte(body)), 1, "misaligned _given is one issue")
}

func TestValidateDiagnostics(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"resourceType":"Observation","code":{"text":"x"}}`, "Observation.status: required element is missing (min 1)"},
		{`{` + pat + `,"birthDate":"1970-13-01"}`, `Patient.birthDate: "1970-13-01" is not a valid FHIR date`},
		{`{` + pat + `,"gender":["male"]}`, "Patient.gender: must be a single value, not an array (max 1)"},
		{`{` + pat + `,"nmae":"x"}`, `Patient.nmae: unknown element "nmae"`},
		{`{` + pat + `,"multipleBirthInteger":2147483648}`, "Patient.multipleBirthInteger: 2147483648 is not a valid FHIR integer (out of the 32-bit range)"},
	}
	for _, tt := range tests {
		issues := Validate([]byte(tt.body))
		require.Len(t, issues, 1)
		require.Equal(t, tt.want, issues[0].Diagnostics)
	}
}
