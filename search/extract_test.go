package search

import (
	"math"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
	"github.com/stretchr/testify/require"
)

func fhirpathValue(n *fhirpath.Node) fhirpath.Value { return fhirpath.Value{N: n} }

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// only returns the values of one parameter, of the same type as want.
func only(v *Values, param string, want any) any {
	switch want.(type) {
	case []TokenValue:
		return filter(v.Tokens, func(x TokenValue) bool { return x.Param == param })
	case []StringValue:
		return filter(v.Strings, func(x StringValue) bool { return x.Param == param })
	case []DateValue:
		return filter(v.Dates, func(x DateValue) bool { return x.Param == param })
	case []NumberValue:
		return filter(v.Numbers, func(x NumberValue) bool { return x.Param == param })
	case []QuantityValue:
		return filter(v.Quantities, func(x QuantityValue) bool { return x.Param == param })
	case []ReferenceValue:
		return filter(v.References, func(x ReferenceValue) bool { return x.Param == param })
	case []URIValue:
		return filter(v.URIs, func(x URIValue) bool { return x.Param == param })
	case []CompositeValue:
		return filter(v.Composites, func(x CompositeValue) bool { return x.Param == param })
	case []PositionValue:
		return filter(v.Positions, func(x PositionValue) bool { return x.Param == param })
	}
	panic("unknown value type")
}

func filter[T any](s []T, keep func(T) bool) []T {
	out := []T{}
	for _, x := range s {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func TestExtractTokens(t *testing.T) {
	tests := []struct {
		name, res, param string
		want             []TokenValue
	}{
		{name: "code primitive", param: "gender", res: `{"resourceType":"Patient","gender":"male"}`,
			want: []TokenValue{{Param: "gender", Code: "male"}}},
		{name: "boolean", param: "active", res: `{"resourceType":"Patient","active":false}`,
			want: []TokenValue{{Param: "active", Code: "false"}}},
		{name: "id", param: "_id", res: `{"resourceType":"Patient","id":"p1"}`,
			want: []TokenValue{{Param: "_id", Code: "p1"}}},
		{name: "CodeableConcept codings and text", param: "code",
			res: `{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic"},{"system":"http://snomed.info/sct","code":"271649006"}],"text":"SBP"}}`,
			want: []TokenValue{
				{Param: "code", System: "http://loinc.org", Code: "8480-6", Display: "Systolic", Text: "SBP"},
				{Param: "code", System: "http://snomed.info/sct", Code: "271649006", Text: "SBP"},
			}},
		{name: "CodeableConcept text only", param: "code", res: `{"resourceType":"Observation","code":{"text":"Something"}}`,
			want: []TokenValue{{Param: "code", Text: "Something"}}},
		{name: "Coding", param: "class", res: `{"resourceType":"Encounter","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"}}`,
			want: []TokenValue{{Param: "class", System: "http://terminology.hl7.org/CodeSystem/v3-ActCode", Code: "AMB"}}},
		{name: "Identifier with type text", param: "identifier",
			res: `{"resourceType":"Patient","identifier":[{"system":"http://hl7.org/fhir/sid/us-ssn","value":"999-1","type":{"text":"SSN"}},{"value":"x"},{"use":"official"}]}`,
			want: []TokenValue{
				{Param: "identifier", System: "http://hl7.org/fhir/sid/us-ssn", Code: "999-1", Text: "SSN"},
				{Param: "identifier", Code: "x"},
			}},
		{name: "Identifier with type codings, one value each", param: "identifier",
			res: `{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"7","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"},{"code":"X"},{"display":"none"}],"text":"MRN"}}]}`,
			want: []TokenValue{
				{Param: "identifier", System: "urn:mrn", Code: "7", Text: "MRN", TypeSystem: "http://terminology.hl7.org/CodeSystem/v2-0203", TypeCode: "MR"},
				{Param: "identifier", System: "urn:mrn", Code: "7", Text: "MRN", TypeCode: "X"},
			}},
		{name: "ContactPoint", param: "telecom",
			res:  `{"resourceType":"Patient","telecom":[{"system":"phone","value":"555-1","use":"home"},{"system":"email","value":"a@b.c"}]}`,
			want: []TokenValue{{Param: "telecom", System: "phone", Code: "555-1"}, {Param: "telecom", System: "email", Code: "a@b.c"}}},
		{name: "ContactPoint filtered", param: "email",
			res:  `{"resourceType":"Patient","telecom":[{"system":"phone","value":"555-1"},{"system":"email","value":"a@b.c"}]}`,
			want: []TokenValue{{Param: "email", System: "email", Code: "a@b.c"}}},
		{name: "meta tag", param: "_tag", res: `{"resourceType":"Patient","meta":{"tag":[{"system":"s","code":"c","display":"d"}]}}`,
			want: []TokenValue{{Param: "_tag", System: "s", Code: "c", Display: "d"}}},
		{name: "choice as CodeableConcept", param: "value-concept",
			res:  `{"resourceType":"Observation","valueCodeableConcept":{"coding":[{"system":"s","code":"pos"}]}}`,
			want: []TokenValue{{Param: "value-concept", System: "s", Code: "pos"}}},
		{name: "choice of another type", param: "value-concept", res: `{"resourceType":"Observation","valueString":"pos"}`,
			want: []TokenValue{}},
		{name: "duplicates removed", param: "gender", res: `{"resourceType":"Patient","gender":"male"}`,
			want: []TokenValue{{Param: "gender", Code: "male"}}},
		{name: "union of Identifier elements", param: "identifier",
			res:  `{"resourceType":"DocumentManifest","masterIdentifier":{"system":"s","value":"m"},"identifier":[{"value":"i"}]}`,
			want: []TokenValue{{Param: "identifier", System: "s", Code: "m"}, {Param: "identifier", Code: "i"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Extract([]byte(tc.res))
			require.NoError(t, err)
			require.Equal(t, tc.want, only(&v, tc.param, tc.want))
		})
	}
}

func TestExtractStrings(t *testing.T) {
	tests := []struct {
		name, res, param string
		want             []StringValue
	}{
		{name: "HumanName parts", param: "name",
			res: `{"resourceType":"Patient","name":[{"family":"Müller","given":["Anna","Lena"],"prefix":["Dr."],"suffix":["PhD"],"text":"Dr. Anna Lena Müller"}]}`,
			want: []StringValue{
				{Param: "name", Value: "Müller", Norm: "muller"},
				{Param: "name", Value: "Anna", Norm: "anna"},
				{Param: "name", Value: "Lena", Norm: "lena"},
				{Param: "name", Value: "Dr.", Norm: "dr."},
				{Param: "name", Value: "PhD", Norm: "phd"},
				{Param: "name", Value: "Dr. Anna Lena Müller", Norm: "dr. anna lena muller"},
			}},
		{name: "family only", param: "family", res: `{"resourceType":"Patient","name":[{"family":"Ölund","given":["X"]}]}`,
			want: []StringValue{{Param: "family", Value: "Ölund", Norm: "olund"}}},
		{name: "Address parts", param: "address",
			res: `{"resourceType":"Patient","address":[{"line":["1 Main St","Apt 2"],"city":"Québec","district":"D","state":"QC","postalCode":"G1A","country":"CA","text":"t"}]}`,
			want: []StringValue{
				{Param: "address", Value: "1 Main St", Norm: "1 main st"},
				{Param: "address", Value: "Apt 2", Norm: "apt 2"},
				{Param: "address", Value: "Québec", Norm: "quebec"},
				{Param: "address", Value: "D", Norm: "d"},
				{Param: "address", Value: "QC", Norm: "qc"},
				{Param: "address", Value: "G1A", Norm: "g1a"},
				{Param: "address", Value: "CA", Norm: "ca"},
				{Param: "address", Value: "t", Norm: "t"},
			}},
		{name: "address-city", param: "address-city", res: `{"resourceType":"Patient","address":[{"city":"Emporia"},{"city":"Emporia"}]}`,
			want: []StringValue{{Param: "address-city", Value: "Emporia", Norm: "emporia"}}},
		{name: "plain string", param: "name", res: `{"resourceType":"Organization","name":"ACME Inc","alias":["Acme"]}`,
			want: []StringValue{{Param: "name", Value: "ACME Inc", Norm: "acme inc"}, {Param: "name", Value: "Acme", Norm: "acme"}}},
		{name: "_text: the narrative without tags", param: "_text",
			res:  `{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Anna &amp; <b>Lena</b> M&#252;ller</p><p>pea&shy;nut<br/>allergy</p><!-- x --></div>"}}`,
			want: []StringValue{{Param: "_text", Norm: "anna & lena muller peanut allergy"}}},
		{name: "_text: none without a div", param: "_text", res: `{"resourceType":"Patient","text":{"status":"empty"}}`,
			want: []StringValue{}},
		{name: "_text: not on Bundle", param: "_text", res: `{"resourceType":"Bundle","text":{"div":"<div>x</div>"}}`,
			want: []StringValue{}},
		{name: "_content: textual elements, once each, not codes, ids, uris or the narrative", param: "_content",
			res: `{"resourceType":"Observation","id":"abc","status":"final","text":{"div":"<div>narrative</div>"},
				"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}],"text":"Heart rate"},
				"note":[{"text":"Patient Was *Calm*"}],"valueString":"Élevé","subject":{"reference":"Patient/p1","display":"Zoë"},
				"contained":[{"resourceType":"Practitioner","id":"c1","name":[{"family":"Who"}]}]}`,
			want: []StringValue{{Param: "_content", Norm: "heart rate\npatient was *calm*\neleve\nzoe\nwho"}}},
		{name: "_content: none on a resource without text", param: "_content", res: `{"resourceType":"Binary","id":"b","contentType":"text/plain","data":"eA=="}`,
			want: []StringValue{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Extract([]byte(tc.res))
			require.NoError(t, err)
			require.Equal(t, tc.want, only(&v, tc.param, tc.want))
		})
	}
}

func TestExtractDates(t *testing.T) {
	tests := []struct {
		name, res, param string
		want             []DateValue
	}{
		{name: "date", param: "birthdate", res: `{"resourceType":"Patient","birthDate":"1974-12"}`,
			want: []DateValue{{Param: "birthdate", Low: utc("1974-12-01T00:00:00Z"), High: utc("1974-12-31T23:59:59.999Z")}}},
		{name: "dateTime with zone", param: "date", res: `{"resourceType":"Observation","effectiveDateTime":"2012-06-02T10:37:03+02:00"}`,
			want: []DateValue{{Param: "date", Low: utc("2012-06-02T08:37:03Z"), High: utc("2012-06-02T08:37:03.999Z")}}},
		{name: "instant", param: "date", res: `{"resourceType":"Observation","effectiveInstant":"2012-06-02T10:37:03.724Z"}`,
			want: []DateValue{{Param: "date", Low: utc("2012-06-02T10:37:03.724Z"), High: utc("2012-06-02T10:37:03.724Z")}}},
		{name: "Period", param: "date", res: `{"resourceType":"Encounter","period":{"start":"2020-01-01","end":"2020-01-02T10:00:00Z"}}`,
			want: []DateValue{{Param: "date", Low: utc("2020-01-01T00:00:00Z"), High: utc("2020-01-02T10:00:00.999Z")}}},
		{name: "Period open end", param: "date", res: `{"resourceType":"Encounter","period":{"start":"2020"}}`,
			want: []DateValue{{Param: "date", Low: utc("2020-01-01T00:00:00Z"), High: MaxTime}}},
		{name: "Period open start", param: "date", res: `{"resourceType":"Encounter","period":{"end":"2020"}}`,
			want: []DateValue{{Param: "date", Low: MinTime, High: utc("2020-12-31T23:59:59.999Z")}}},
		{name: "Timing events and bounds", param: "date",
			res:  `{"resourceType":"Observation","effectiveTiming":{"event":["2020-03-01","2020-01-15T10:00:00Z"],"repeat":{"boundsPeriod":{"start":"2019-12-30","end":"2020-02-01"}}}}`,
			want: []DateValue{{Param: "date", Low: utc("2019-12-30T00:00:00Z"), High: utc("2020-03-01T23:59:59.999Z")}}},
		{name: "lastUpdated", param: "_lastUpdated", res: `{"resourceType":"Patient","meta":{"lastUpdated":"2020-01-01T00:00:00.5Z"}}`,
			want: []DateValue{{Param: "_lastUpdated", Low: utc("2020-01-01T00:00:00.5Z"), High: utc("2020-01-01T00:00:00.599Z")}}},
		{name: "invalid date ignored", param: "birthdate", res: `{"resourceType":"Patient","birthDate":"yesterday"}`,
			want: []DateValue{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Extract([]byte(tc.res))
			require.NoError(t, err)
			require.Equal(t, tc.want, only(&v, tc.param, tc.want))
		})
	}
}

func TestExtractQuantitiesAndNumbers(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name, res, param string
		want             any
	}{
		{name: "UCUM quantity", param: "value-quantity",
			res: `{"resourceType":"Observation","valueQuantity":{"value":120,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}`,
			want: []QuantityValue{{Param: "value-quantity", Text: "120", Value: 120, Low: 119.5, High: 120.5,
				System: UCUMSystem, Code: "mm[Hg]", Unit: "mmHg", CanonicalCode: "Pa",
				CanonicalValue: 120 * 133.322387415, CanonicalLow: 119.5 * 133.322387415, CanonicalHigh: 120.5 * 133.322387415}}},
		{name: "comparator", param: "value-quantity",
			res: `{"resourceType":"Observation","valueQuantity":{"value":5,"comparator":">=","system":"http://unitsofmeasure.org","code":"g"}}`,
			want: []QuantityValue{{Param: "value-quantity", Text: "5", Value: 5, Low: 4.5, High: inf, Comparator: ">=",
				System: UCUMSystem, Code: "g", CanonicalCode: "g", CanonicalValue: 5, CanonicalLow: 4.5, CanonicalHigh: inf}}},
		{name: "non-UCUM", param: "value-quantity",
			res:  `{"resourceType":"Observation","valueQuantity":{"value":2,"system":"http://x","code":"tab"}}`,
			want: []QuantityValue{{Param: "value-quantity", Text: "2", Value: 2, Low: 1.5, High: 2.5, System: "http://x", Code: "tab"}}},
		{name: "Money in Invoice", param: "totalnet", res: `{"resourceType":"Invoice","totalNet":{"value":10.50,"currency":"USD"}}`,
			want: []QuantityValue{{Param: "totalnet", Text: "10.50", Value: 10.5, Low: 10.495, High: 10.505, System: ISO4217, Code: "USD"}}},
		{name: "number", param: "probability",
			res:  `{"resourceType":"RiskAssessment","prediction":[{"probabilityDecimal":0.25}]}`,
			want: []NumberValue{{Param: "probability", Text: "0.25", Value: 0.25, Low: 0.245, High: 0.255}}},
		{name: "number from Range", param: "probability",
			res: `{"resourceType":"RiskAssessment","prediction":[{"probabilityRange":{"low":{"value":1},"high":{"value":2}}}]}`,
			want: []NumberValue{{Param: "probability", Text: "1", Value: 1, Low: 0.5, High: 1.5},
				{Param: "probability", Text: "2", Value: 2, Low: 1.5, High: 2.5}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Extract([]byte(tc.res))
			require.NoError(t, err)
			got := only(&v, tc.param, tc.want)
			if qs, ok := got.([]QuantityValue); ok {
				want := tc.want.([]QuantityValue)
				require.Len(t, qs, len(want))
				for i := range qs {
					// Compare the floats within rounding, the rest exactly.
					requireQuantity(t, want[i], qs[i])
				}
				return
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func requireQuantity(t *testing.T, want, got QuantityValue) {
	t.Helper()
	for _, f := range []struct{ w, g *float64 }{
		{&want.Low, &got.Low}, {&want.High, &got.High}, {&want.CanonicalValue, &got.CanonicalValue},
		{&want.CanonicalLow, &got.CanonicalLow}, {&want.CanonicalHigh, &got.CanonicalHigh},
	} {
		if !math.IsInf(*f.w, 0) {
			require.InDelta(t, *f.w, *f.g, 1e-9*math.Max(1, math.Abs(*f.w)))
		} else {
			require.Equal(t, *f.w, *f.g)
		}
		*f.w, *f.g = 0, 0
	}
	require.Equal(t, want, got)
}

func TestExtractRange(t *testing.T) {
	v, err := Extract([]byte(`{"resourceType":"Library","useContext":[{"code":{"code":"age"},"valueRange":{"low":{"value":18,"system":"http://unitsofmeasure.org","code":"a"}}}]}`))
	require.NoError(t, err)
	qs := only(&v, "context-quantity", []QuantityValue{}).([]QuantityValue)
	require.Len(t, qs, 1)
	q := qs[0]
	require.True(t, math.IsNaN(q.Value))
	require.True(t, math.IsNaN(q.CanonicalValue))
	require.Equal(t, 18.0, q.Low)
	require.Equal(t, math.Inf(1), q.High)
	require.Equal(t, "s", q.CanonicalCode)
	require.Equal(t, 18*31557600.0, q.CanonicalLow)
	require.Equal(t, math.Inf(1), q.CanonicalHigh)
}

func TestExtractReferences(t *testing.T) {
	tests := []struct {
		name, res, param string
		want             []ReferenceValue
	}{
		{name: "relative", param: "subject", res: `{"resourceType":"Observation","subject":{"reference":"Patient/p1"}}`,
			want: []ReferenceValue{{Param: "subject", TargetType: "Patient", TargetID: "p1"}}},
		{name: "versioned", param: "subject", res: `{"resourceType":"Observation","subject":{"reference":"Patient/p1/_history/3"}}`,
			want: []ReferenceValue{{Param: "subject", TargetType: "Patient", TargetID: "p1", Version: "3"}}},
		{name: "absolute", param: "subject", res: `{"resourceType":"Observation","subject":{"reference":"http://x.org/fhir/Patient/p1/_history/2"}}`,
			want: []ReferenceValue{{Param: "subject", TargetType: "Patient", TargetID: "p1", Version: "2", URL: "http://x.org/fhir/Patient/p1"}}},
		{name: "absolute non-FHIR", param: "subject", res: `{"resourceType":"Observation","subject":{"reference":"http://x.org/thing"}}`,
			want: []ReferenceValue{{Param: "subject", URL: "http://x.org/thing"}}},
		{name: "urn:uuid with type", param: "subject", res: `{"resourceType":"Observation","subject":{"reference":"urn:uuid:1234","type":"Patient"}}`,
			want: []ReferenceValue{{Param: "subject", TargetType: "Patient", URL: "urn:uuid:1234"}}},
		{name: "urn:uuid single target", param: "encounter", res: `{"resourceType":"CarePlan","encounter":{"reference":"urn:uuid:1234"}}`,
			want: []ReferenceValue{{Param: "encounter", TargetType: "Encounter", URL: "urn:uuid:1234"}}},
		{name: "contained", param: "subject",
			res:  `{"resourceType":"Observation","contained":[{"resourceType":"Patient","id":"p1"}],"subject":{"reference":"#p1"}}`,
			want: []ReferenceValue{{Param: "subject", TargetType: "Patient", TargetID: "#p1"}}},
		{name: "identifier", param: "subject", res: `{"resourceType":"Observation","subject":{"identifier":{"system":"s","value":"v"},"type":"Patient"}}`,
			want: []ReferenceValue{{Param: "subject", TargetType: "Patient", IdentifierSystem: "s", IdentifierValue: "v"}}},
		{name: "conditional by identifier", param: "performer",
			res:  `{"resourceType":"Observation","performer":[{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|99"}]}`,
			want: []ReferenceValue{{Param: "performer", TargetType: "Practitioner", IdentifierSystem: "http://hl7.org/fhir/sid/us-npi", IdentifierValue: "99"}}},
		{name: "other conditional", param: "performer", res: `{"resourceType":"Observation","performer":[{"reference":"Practitioner?name=x"}]}`,
			want: []ReferenceValue{}},
		{name: "display only", param: "subject", res: `{"resourceType":"Observation","subject":{"display":"Peter"}}`,
			want: []ReferenceValue{}},
		{name: "resolve is Patient", param: "patient", res: `{"resourceType":"Observation","subject":{"reference":"Patient/p1"}}`,
			want: []ReferenceValue{{Param: "patient", TargetType: "Patient", TargetID: "p1"}}},
		{name: "resolve of contained Patient", param: "patient",
			res:  `{"resourceType":"Observation","contained":[{"resourceType":"Patient","id":"p1"}],"subject":{"reference":"#p1"}}`,
			want: []ReferenceValue{{Param: "patient", TargetType: "Patient", TargetID: "#p1"}}},
		{name: "resolve of absolute and urn:uuid", param: "patient",
			res:  `{"resourceType":"Observation","subject":{"reference":"http://x/fhir/Patient/p2"}}`,
			want: []ReferenceValue{{Param: "patient", TargetType: "Patient", TargetID: "p2", URL: "http://x/fhir/Patient/p2"}}},
		{name: "resolve of urn:uuid without type", param: "patient", res: `{"resourceType":"Observation","subject":{"reference":"urn:uuid:1"}}`,
			want: []ReferenceValue{}},
		{name: "resolve is not Patient", param: "patient", res: `{"resourceType":"Observation","subject":{"reference":"Group/g1"}}`,
			want: []ReferenceValue{}},
		{name: "canonical with version", param: "instantiates-canonical",
			res:  `{"resourceType":"CarePlan","instantiatesCanonical":["http://hl7.org/fhir/PlanDefinition/p|1.2"]}`,
			want: []ReferenceValue{{Param: "instantiates-canonical", TargetType: "PlanDefinition", Version: "1.2", URL: "http://hl7.org/fhir/PlanDefinition/p"}}},
		{name: "relative canonical", param: "depends-on", res: `{"resourceType":"Library","relatedArtifact":[{"type":"depends-on","resource":"Library/lib|2"}]}`,
			want: []ReferenceValue{{Param: "depends-on", TargetType: "Library", TargetID: "lib", Version: "2"}}},
		{name: "resource in bundle", param: "composition",
			res:  `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Composition","id":"c1"}}]}`,
			want: []ReferenceValue{{Param: "composition", TargetType: "Composition", TargetID: "c1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Extract([]byte(tc.res))
			require.NoError(t, err)
			require.Equal(t, tc.want, only(&v, tc.param, tc.want))
		})
	}
}

func TestExtractOthers(t *testing.T) {
	tests := []struct {
		name, res, param string
		want             any
	}{
		{name: "uri", param: "url", res: `{"resourceType":"ValueSet","url":"http://x/vs"}`,
			want: []URIValue{{Param: "url", Value: "http://x/vs"}}},
		{name: "profile", param: "_profile", res: `{"resourceType":"Patient","meta":{"profile":["http://p"]}}`,
			want: []URIValue{{Param: "_profile", Value: "http://p"}}},
		{name: "near", param: "near", res: `{"resourceType":"Location","position":{"latitude":42.25,"longitude":-83.5}}`,
			want: []PositionValue{{Param: "near", Latitude: 42.25, Longitude: -83.5}}},
		{name: "composite per component", param: "component-code-value-quantity",
			res: `{"resourceType":"Observation","component":[
				{"code":{"coding":[{"system":"l","code":"a"}]},"valueQuantity":{"value":1,"system":"http://unitsofmeasure.org","code":"kg"}},
				{"code":{"coding":[{"system":"l","code":"b"}]},"valueString":"x"}]}`,
			want: []CompositeValue{{Param: "component-code-value-quantity", Parts: []CompositePart{
				{Code: "component-code", Type: Token, Token: TokenValue{Param: "component-code", System: "l", Code: "a"}},
				{Code: "component-value-quantity", Type: Quantity, Quantity: QuantityValue{Param: "component-value-quantity",
					Text: "1", Value: 1, Low: 0.5, High: 1.5, System: UCUMSystem, Code: "kg",
					CanonicalCode: "g", CanonicalValue: 1000, CanonicalLow: 500, CanonicalHigh: 1500}},
			}}}},
		{name: "composite combinations", param: "code-value-concept",
			res: `{"resourceType":"Observation","code":{"coding":[{"code":"a"},{"code":"b"}]},"valueCodeableConcept":{"coding":[{"code":"x"}]}}`,
			want: []CompositeValue{
				{Param: "code-value-concept", Parts: []CompositePart{
					{Code: "code", Type: Token, Token: TokenValue{Param: "code", Code: "a"}},
					{Code: "value-concept", Type: Token, Token: TokenValue{Param: "value-concept", Code: "x"}}}},
				{Param: "code-value-concept", Parts: []CompositePart{
					{Code: "code", Type: Token, Token: TokenValue{Param: "code", Code: "b"}},
					{Code: "value-concept", Type: Token, Token: TokenValue{Param: "value-concept", Code: "x"}}}},
			}},
		{name: "composite with %resource", param: "referenceseqid-variant-coordinate",
			res: `{"resourceType":"MolecularSequence","referenceSeq":{"referenceSeqId":{"coding":[{"code":"NC_1"}]}},"variant":[{"start":10,"end":12}]}`,
			want: []CompositeValue{{Param: "referenceseqid-variant-coordinate", Parts: []CompositePart{
				{Code: "referenceseqid", Type: Token, Token: TokenValue{Param: "referenceseqid", Code: "NC_1"}},
				{Code: "variant-start", Type: Number, Number: NumberValue{Param: "variant-start", Text: "10", Value: 10, Low: 9.5, High: 10.5}},
				{Code: "variant-end", Type: Number, Number: NumberValue{Param: "variant-end", Text: "12", Value: 12, Low: 11.5, High: 12.5}},
			}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Extract([]byte(tc.res))
			require.NoError(t, err)
			require.Equal(t, tc.want, only(&v, tc.param, tc.want))
		})
	}
}

func TestExtractErrors(t *testing.T) {
	tests := []struct{ name, res, wantErr string }{
		{name: "not JSON", res: `{`, wantErr: "search: fhirpath: json"},
		{name: "array", res: `[]`, wantErr: "not a FHIR resource: no resourceType"},
		{name: "no resourceType", res: `{"id":"x"}`, wantErr: "no resourceType"},
		{name: "unknown type", res: `{"resourceType":"Nope"}`, wantErr: `unknown resourceType "Nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Extract([]byte(tc.res))
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
	v, err := Extract([]byte(`{"resourceType":"Binary","id":"b"}`))
	require.NoError(t, err)
	require.Equal(t, Values{ResourceType: "Binary", ID: "b", Tokens: []TokenValue{{Param: "_id", Code: "b"}}}, v)
	require.Equal(t, 1, v.Len())
}

func TestParamError(t *testing.T) {
	p := &Param{Code: "one-name", Base: "Patient", Type: String, Expression: "Patient.name.single().family"}
	compileParam(p, params())
	require.NoError(t, p.Err())
	var x extractor
	root, err := x.dec.Decode([]byte(`{"resourceType":"Patient","name":[{"family":"A"},{"family":"B"}]}`))
	require.NoError(t, err)
	x.root, x.env.Resource, x.in = root, root, append(x.in, fhirpathValue(root))
	var out Values
	err = x.param(p, &out)
	require.ErrorContains(t, err, "single() on 2 items")
	require.Empty(t, out.Strings)

	bad := &Param{Code: "bad", Base: "Patient", Type: String, Expression: "Patient.name.nosuch()"}
	compileParam(bad, params())
	require.ErrorContains(t, bad.Err(), "search: parameter Patient.bad: fhirpath: unknown function nosuch()")

	pe := &ParamError{Base: "Patient", Code: "one-name", Err: err}
	require.Equal(t, "search: parameter Patient.one-name: "+err.Error(), pe.Error())
	require.ErrorIs(t, pe, err)
}
