package search

import (
	"testing"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/stretchr/testify/require"
)

// TestCompileAll requires every expression of the table, and every
// composite component, to compile.
func TestCompileAll(t *testing.T) {
	withExpr := 0
	for _, p := range All() {
		require.NoError(t, p.Err(), "%s.%s: %s", p.Base, p.Code, p.Expression)
		require.True(t, fhir.IsResourceType(p.Base) || p.Base == "Resource" || p.Base == "DomainResource", p.Base)
		for _, target := range p.Targets {
			require.True(t, fhir.IsResourceType(target), "%s.%s target %s", p.Base, p.Code, target)
		}
		if p.Expression != "" {
			withExpr++
			require.NotNil(t, p.expr)
		}
		for _, c := range p.Components {
			require.NotEmpty(t, c.Code, "%s.%s component %s", p.Base, p.Code, c.Definition)
			require.NotNil(t, c.expr)
		}
	}
	require.Equal(t, 1706, len(All()))
	require.Equal(t, 1703, withExpr)
}

func TestLookup(t *testing.T) {
	tests := []struct {
		typ, code string
		wantOK    bool
		wantBase  string
		wantType  Type
		wantExpr  string
		targets   []string
	}{
		{typ: "Observation", code: "code", wantOK: true, wantBase: "Observation", wantType: Token, wantExpr: "Observation.code"},
		{typ: "Observation", code: "patient", wantOK: true, wantBase: "Observation", wantType: Reference,
			wantExpr: "Observation.subject.where(resolve() is Patient)", targets: []string{"Patient"}},
		{typ: "AllergyIntolerance", code: "patient", wantOK: true, wantBase: "AllergyIntolerance", wantType: Reference,
			wantExpr: "AllergyIntolerance.patient", targets: []string{"Patient", "Group"}},
		{typ: "Observation", code: "value-quantity", wantOK: true, wantBase: "Observation", wantType: Quantity,
			wantExpr: "(Observation.value as Quantity) | (Observation.value as SampledData)"},
		{typ: "Patient", code: "_id", wantOK: true, wantBase: "Resource", wantType: Token, wantExpr: "Resource.id"},
		{typ: "Patient", code: "_lastUpdated", wantOK: true, wantBase: "Resource", wantType: Date, wantExpr: "Resource.meta.lastUpdated"},
		{typ: "Patient", code: "_text", wantOK: true, wantBase: "DomainResource", wantType: String},
		{typ: "Patient", code: "_content", wantOK: true, wantBase: "Resource", wantType: String},
		{typ: "Location", code: "near", wantOK: true, wantBase: "Location", wantType: Special, wantExpr: "Location.position"},
		{typ: "Bundle", code: "_text"},
		{typ: "Binary", code: "_id", wantOK: true, wantBase: "Resource", wantType: Token, wantExpr: "Resource.id"},
		{typ: "Observation", code: "nope"},
		{typ: "Nope", code: "_id"},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"."+tc.code, func(t *testing.T) {
			p, ok := Lookup(tc.typ, tc.code)
			require.Equal(t, tc.wantOK, ok)
			if !ok {
				return
			}
			require.Equal(t, tc.code, p.Code)
			require.Equal(t, tc.wantBase, p.Base)
			require.Equal(t, tc.wantType, p.Type)
			require.Equal(t, tc.wantExpr, p.Expression)
			if tc.targets != nil {
				require.Equal(t, tc.targets, p.Targets)
			}
		})
	}
}

func TestParams(t *testing.T) {
	ps := Params("Observation")
	codes := map[string]bool{}
	for i, p := range ps {
		codes[p.Code] = true
		if i > 0 {
			require.LessOrEqual(t, ps[i-1].Code, p.Code)
		}
	}
	for _, c := range []string{"_id", "_lastUpdated", "_tag", "_profile", "_security", "_source", "_text", "code", "subject", "code-value-quantity"} {
		require.True(t, codes[c], c)
	}
	require.Len(t, Params("Binary"), 8) // the Resource-level ones only
	require.Nil(t, Params("Nope"))

	p, ok := Lookup("Observation", "component-code-value-quantity")
	require.True(t, ok)
	require.True(t, p.NoMultipleOr)
	require.Equal(t, []Component{
		{Definition: "http://hl7.org/fhir/SearchParameter/Observation-component-code", Expression: "code", Code: "component-code", Type: Token},
		{Definition: "http://hl7.org/fhir/SearchParameter/Observation-component-value-quantity", Expression: "value.as(Quantity)", Code: "component-value-quantity", Type: Quantity},
	}, stripCompiled(p.Components))

	q, ok := LookupURL("http://hl7.org/fhir/SearchParameter/Account-period")
	require.True(t, ok)
	require.Equal(t, "period", q.Code)
	require.Equal(t, []string{"eq", "ne", "gt", "ge", "lt", "le", "sa", "eb", "ap"}, q.Comparators)
	require.Equal(t, "quantity", Quantity.String())
	require.Equal(t, "invalid", Type(99).String())
}

func stripCompiled(cs []Component) []Component {
	out := make([]Component, len(cs))
	for i, c := range cs {
		out[i] = Component{Definition: c.Definition, Expression: c.Expression, Code: c.Code, Type: c.Type}
	}
	return out
}

func TestCompile(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{in: "Observation.code", want: "Observation.code"},
		{in: "(Observation.value as Quantity) | (Observation.value as SampledData)",
			want: "(Observation.value.`as`(Quantity) | Observation.value.`as`(SampledData))"},
		{in: "(Condition.onset as FHIR.Age)", want: "Condition.onset.`as`(FHIR.Age)"},
		{in: "value.as(DateTime)", want: "value.`as`(DateTime)"},
		{in: "Observation.subject.where(resolve() is Patient)", want: "Observation.subject.where((resolve() is Patient))"},
		{in: "Observation.code.nosuch()", wantErr: "unknown function nosuch()"},
		{in: "Observation.(", wantErr: "expected a name"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			e, err := compile(tc.in)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, e.String())
		})
	}
}
