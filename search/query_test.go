package search

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func parse(t *testing.T, typ, query string, strict bool) (*Query, error) {
	t.Helper()
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	return ParseQuery(typ, q, strict)
}

func TestParseQueryValues(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }
	tests := []struct {
		name, typ, query string
		check            func(t *testing.T, c Criterion)
	}{
		{"token system|code", "Observation", "code=http://loinc.org|8867-4", func(t *testing.T, c Criterion) {
			require.Equal(t, "code", c.Param.Code)
			require.Equal(t, Value{Raw: "http://loinc.org|8867-4", System: "http://loinc.org", Code: "8867-4", HasSystem: true}, c.Values[0])
		}},
		{"token |code and code, OR", "Observation", "code=|abc,def", func(t *testing.T, c Criterion) {
			require.Len(t, c.Values, 2)
			require.True(t, c.Values[0].HasSystem)
			require.Equal(t, "", c.Values[0].System)
			require.False(t, c.Values[1].HasSystem)
			require.Equal(t, "def", c.Values[1].Code)
		}},
		{"token system| ", "Patient", "identifier=urn:mrn|", func(t *testing.T, c Criterion) {
			require.Equal(t, Value{Raw: "urn:mrn|", System: "urn:mrn", HasSystem: true}, c.Values[0])
		}},
		{"escaped comma and bar", "Patient", `identifier=a\|b|c\,d`, func(t *testing.T, c Criterion) {
			require.Len(t, c.Values, 1)
			require.Equal(t, "a|b", c.Values[0].System)
			require.Equal(t, "c,d", c.Values[0].Code)
		}},
		{"token :text", "Condition", "code:text=Diabétes", func(t *testing.T, c Criterion) {
			require.Equal(t, "text", c.Modifier)
			require.Equal(t, "diabetes", c.Values[0].Norm)
		}},
		{"string normalized", "Patient", "name=Zoë", func(t *testing.T, c Criterion) {
			require.Equal(t, "zoe", c.Values[0].Norm)
		}},
		{"string :exact", "Patient", "family:exact=Smith", func(t *testing.T, c Criterion) {
			require.Equal(t, "exact", c.Modifier)
			require.Equal(t, "Smith", c.Values[0].Raw)
		}},
		{"date prefix and precision", "Observation", "date=ge2020-03", func(t *testing.T, c Criterion) {
			v := c.Values[0]
			require.Equal(t, GE, v.Prefix)
			require.Equal(t, day("2020-03-01T00:00:00Z"), v.Low)
			require.Equal(t, day("2020-03-31T23:59:59.999Z"), v.High)
		}},
		{"date without prefix", "Patient", "birthdate=1970", func(t *testing.T, c Criterion) {
			require.Equal(t, EQ, c.Values[0].Prefix)
			require.Equal(t, day("1970-12-31T23:59:59.999Z"), c.Values[0].High)
		}},
		{"number range by precision", "RiskAssessment", "probability=gt0.8", func(t *testing.T, c Criterion) {
			v := c.Values[0]
			require.Equal(t, GT, v.Prefix)
			require.InDelta(t, 0.75, v.NumLow, 1e-9)
			require.InDelta(t, 0.85, v.NumHigh, 1e-9)
		}},
		{"quantity with UCUM", "Observation", "value-quantity=le5.4|http://unitsofmeasure.org|mg", func(t *testing.T, c Criterion) {
			v := c.Values[0]
			require.Equal(t, LE, v.Prefix)
			require.Equal(t, "mg", v.Unit)
			require.Equal(t, "g", v.CanonicalCode)
			require.InDelta(t, 0.0054, v.CanonicalValue, 1e-12)
		}},
		{"reference forms", "Observation", "subject=Patient/123,456,http://x.org/fhir/Patient/9", func(t *testing.T, c Criterion) {
			require.Equal(t, "Patient", c.Values[0].RefType)
			require.Equal(t, "123", c.Values[0].RefID)
			require.Equal(t, "", c.Values[1].RefType)
			require.Equal(t, "456", c.Values[1].RefID)
			require.Equal(t, "http://x.org/fhir/Patient/9", c.Values[2].URL)
			require.Equal(t, "9", c.Values[2].RefID)
		}},
		{"reference :Type", "Observation", "subject:Patient=123", func(t *testing.T, c Criterion) {
			require.Equal(t, "Patient", c.Values[0].RefType)
		}},
		{"reference :identifier", "Observation", "subject:identifier=urn:mrn|42", func(t *testing.T, c Criterion) {
			require.Equal(t, "urn:mrn", c.Values[0].System)
			require.Equal(t, "42", c.Values[0].Code)
		}},
		{":missing", "Patient", "birthdate:missing=true", func(t *testing.T, c Criterion) {
			require.NotNil(t, c.Missing)
			require.True(t, *c.Missing)
			require.Empty(t, c.Values)
		}},
		{"common _id and _lastUpdated", "Encounter", "_lastUpdated=lt2026-01-01T00:00:00Z", func(t *testing.T, c Criterion) {
			require.Equal(t, "Resource", c.Param.Base)
			require.Equal(t, LT, c.Values[0].Prefix)
		}},
		{"chain", "Observation", "subject:Patient.address-city=Boston", func(t *testing.T, c Criterion) {
			require.Equal(t, []string{"Patient"}, c.Targets)
			require.Equal(t, "address-city", c.Chain.Param.Code)
			require.Equal(t, "boston", c.Chain.Values[0].Norm)
		}},
		{"two-level chain over every target that has the parameter", "Observation", "patient.general-practitioner.name=Who", func(t *testing.T, c Criterion) {
			require.Equal(t, []string{"Patient"}, c.Targets)
			require.Equal(t, "general-practitioner", c.Chain.Param.Code)
			require.Equal(t, "name", c.Chain.Chain.Param.Code)
			require.Contains(t, c.Chain.Targets, "Practitioner")
		}},
		{"token :of-type", "Patient", `identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|a\|b`, func(t *testing.T, c Criterion) {
			require.Equal(t, "of-type", c.Modifier)
			v := c.Values[0]
			require.Equal(t, []string{"http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "a|b"}, []string{v.System, v.Code, v.Ident})
			require.True(t, v.HasSystem)
		}},
		{"token :of-type without system", "Patient", "identifier:of-type=|MR|7", func(t *testing.T, c Criterion) {
			require.False(t, c.Values[0].HasSystem)
			require.Equal(t, "7", c.Values[0].Ident)
		}},
		{"token :in", "Observation", "code:in=http://vs/a,ValueSet/b", func(t *testing.T, c Criterion) {
			require.Equal(t, "in", c.Modifier)
			require.Equal(t, "http://vs/a", c.Values[0].URL)
			require.Equal(t, "ValueSet/b", c.Values[1].URL)
		}},
		{"_list", "Patient", "_list=a,b", func(t *testing.T, c Criterion) {
			require.Equal(t, "_list", c.Param.Code)
			require.Equal(t, "a", c.Values[0].RefID)
			require.Equal(t, "b", c.Values[1].RefID)
		}},
		{"_text and _content", "Patient", "_content=Zoë", func(t *testing.T, c Criterion) {
			require.Equal(t, "zoe", c.Values[0].Norm)
		}},
		{"reverse chain", "Patient", "_has:Observation:patient:code=1234-5", func(t *testing.T, c Criterion) {
			require.Equal(t, "Observation", c.Has.Type)
			require.Equal(t, "patient", c.Has.Ref.Code)
			require.Equal(t, "1234-5", c.Has.Criterion.Values[0].Code)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := parse(t, tt.typ, tt.query, true)
			require.NoError(t, err)
			require.Len(t, q.Criteria, 1)
			tt.check(t, q.Criteria[0])
		})
	}
}

func TestParseQueryResultParameters(t *testing.T) {
	q, err := parse(t, "Patient", "_count=10&_sort=-birthdate,family&_total=accurate&_summary=data&_elements=name,gender&_include=Patient:general-practitioner&_revinclude:iterate=Encounter:subject&_format=json&_pretty=true", true)
	require.NoError(t, err)
	require.Equal(t, 10, q.PageSize())
	require.Len(t, q.Sort, 2)
	require.True(t, q.Sort[0].Desc)
	require.Equal(t, "family", q.Sort[1].Param.Code)
	require.Equal(t, "accurate", q.Total)
	require.Equal(t, []string{"name", "gender"}, q.Elements)
	require.Equal(t, "general-practitioner", q.Includes[0].Param.Code)
	require.True(t, q.RevIncludes[0].Iterate)
	require.Equal(t, "Encounter", q.RevIncludes[0].Source)
	require.Empty(t, q.Criteria)

	q, err = parse(t, "Patient", "_summary=count", true)
	require.NoError(t, err)
	require.Zero(t, q.PageSize())
	q, err = parse(t, "Patient", "", true)
	require.NoError(t, err)
	require.Equal(t, 50, q.PageSize())
	q, err = parse(t, "Patient", "_include=*", true)
	require.NoError(t, err)
	require.True(t, q.Includes[0].Wildcard)
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct{ typ, query, param, reason string }{
		{"Patient", "birthdate=yesterday", "birthdate", "not a FHIR date"},
		{"Patient", "birthdate=ge2020-13", "birthdate", "not a FHIR date"},
		{"RiskAssessment", "probability=high", "probability", "not a number"},
		{"Observation", "value-quantity=abc|x|y", "value-quantity", "does not start with a number"},
		{"Observation", "subject=Nonsense/1", "subject", "not a Type/id reference"},
		{"Observation", "subject=a b", "subject", "not a resource id"},
		{"Patient", "name:below=x", "name:below", "does not apply to a string parameter"},
		{"Patient", "gender:exact=x", "gender:exact", "does not apply to a token parameter"},
		{"Observation", "subject:Medication.code=x", "subject:Medication.code", "does not refer to Medication"},
		{"Observation", "subject:Device.name=x", "subject:Device.name", `refers to (Device) has a search parameter "name"`},
		{"Patient", "gender.name=x", "gender.name", "only reference parameters can be chained"},
		{"Patient", "birthdate:missing=maybe", "birthdate:missing", "takes true or false"},
		{"Patient", "_count=-1", "_count", "non-negative"},
		{"Patient", "_sort=nothing", "_sort", `no search parameter "nothing"`},
		{"Patient", "_total=all", "_total", "none, estimate or accurate"},
		{"Patient", "_include=Patient:gender", "_include", `no reference parameter "gender"`},
		{"Patient", "_has:Observation:code:status=final", "_has:Observation:code:status", `no reference parameter "code"`},
		{"Patient", "_has:Nonsense:patient:code=x", "_has:Nonsense:patient:code", "not a FHIR R4 resource type"},
		{"Patient", "gender=", "gender", "empty value"},
		{"Patient", "nonsense=1", "nonsense", "no search parameter of that name"},
		{"Patient", "name=" + string(make([]byte, 5000)), "name", "longer than"},
		{"Observation", "code-value-quantity=a$1,b$2", "code-value-quantity", "one value"},
		{"Observation", "code-value-quantity=a", "code-value-quantity", "components"},
		{"Observation", "code-value-quantity=a$high", "code-value-quantity", "component 2"},
		{"Observation", "subject.a.b.c.d.e.f=1", "subject.a.b.c.d.e.f", ""},
		{"Patient", "identifier:of-type=MR|7", "identifier:of-type", "not type-system|type-code|value"},
		{"Patient", "identifier:of-type=s||7", "identifier:of-type", "not type-system|type-code|value"},
		{"Patient", "identifier:of-type=s|MR|", "identifier:of-type", "not type-system|type-code|value"},
		{"Patient", "_list=$current-allergies", "_list", `functional list "$current-allergies" is not supported`},
		{"Patient", "_list=a b", "_list", "not a List id"},
		{"Patient", "name=caf%C3", "name", "not valid UTF-8"},
		{"Patient", "name%FF=x", "name\uFFFD", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.query[:min(len(tt.query), 40)], func(t *testing.T) {
			_, err := parse(t, tt.typ, tt.query, true)
			var qe *QueryError
			require.True(t, errors.As(err, &qe), "%T %v", err, err)
			require.Equal(t, tt.param, qe.Param)
			require.Contains(t, qe.Reason, tt.reason)
		})
	}
	// Lenient handling ignores unknown parameters, and only those.
	q, err := parse(t, "Patient", "nonsense=1&gender=male", false)
	require.NoError(t, err)
	require.Equal(t, []string{"nonsense"}, q.Ignored)
	require.Len(t, q.Criteria, 1)
	_, err = parse(t, "Patient", "birthdate=x", false)
	require.Error(t, err, "malformed values are errors either way")
}

func TestResolveValueSets(t *testing.T) {
	vs := valueSetsFunc(func(_ context.Context, ref string) (*Expansion, error) {
		switch ref {
		case "http://vs/a":
			return &Expansion{Codes: []Coding{{System: "s", Code: "c"}}}, nil
		case "http://vs/filter":
			return nil, fmt.Errorf("test: filter is-a: %w", ErrUnsupportedValueSet)
		case "http://vs/broken":
			return nil, errors.New("test: disk on fire")
		}
		return nil, fmt.Errorf("test: %w", ErrUnknownValueSet)
	})
	tests := []struct {
		typ, query string
		wantErr    string // "" for success; "500:" prefix for an error that is not a QueryError
	}{
		{"Observation", "code:in=http://vs/a", ""},
		{"Observation", "code:not-in=http://vs/a", ""},
		{"Patient", "_has:Observation:patient:code:in=http://vs/a", ""},
		{"Observation", "patient.gender:in=http://vs/a", ""},
		{"Observation", "code:in=http://vs/nope", `search parameter "code:in": the value set "http://vs/nope" is not known to this server`},
		{"Observation", "code:not-in=http://vs/a,http://vs/filter", `"code:not-in": the value set "http://vs/filter" cannot be expanded: test: filter is-a`},
		{"Observation", "code:in=http://vs/broken", "500:disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := parse(t, tt.typ, tt.query, true)
			require.NoError(t, err)
			_, err = NewPlan(q, "clinic")
			require.ErrorContains(t, err, "was not resolved", "a plan needs the expansions")
			err = q.ResolveValueSets(context.Background(), vs)
			var qe *QueryError
			switch {
			case tt.wantErr == "":
				require.NoError(t, err)
				_, err = NewPlan(q, "clinic")
				require.NoError(t, err)
			case strings.HasPrefix(tt.wantErr, "500:"):
				require.ErrorContains(t, err, tt.wantErr[4:])
				require.False(t, errors.As(err, &qe))
			default:
				require.ErrorAs(t, err, &qe)
				require.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
}

type valueSetsFunc func(ctx context.Context, ref string) (*Expansion, error)

func (f valueSetsFunc) Expand(ctx context.Context, ref string) (*Expansion, error) {
	return f(ctx, ref)
}

// FuzzParseQuery: any query string parses and plans, or fails with a
// QueryError (cursors of _after and near values included).
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"code=a|b", "date=ge2020", "subject:Patient.name=x", "_has:Observation:patient:code=1", "value-quantity=1|a|b", "_sort=-date", "_include:iterate=*", `name=a\,b,c`, "x=%00'; DROP TABLE t;--",
		"_sort=date&_after=eyJzIjoiZGF0ZSIsImsiOlsiMjAyMC0wMS0wMVQwMDowMDowMFoiXSwiaSI6Im8xIn0", "patient=Patient/p1&_after=o1", "identifier:of-type=a|MR|1", "_text=abc", "_list=l1"} {
		f.Add("Observation", s)
	}
	f.Add("Location", "near=42.1|-71.2|5|km")
	f.Fuzz(func(t *testing.T, typ, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		pq, err := ParseQuery(typ, q, true)
		var qe *QueryError
		if err != nil && !errors.As(err, &qe) {
			t.Fatalf("%s?%s: error %T %v", typ, query, err, err)
		}
		if err != nil {
			return
		}
		if _, err := NewPlan(pq, "clinic"); err != nil && !errors.As(err, &qe) {
			t.Fatalf("%s?%s: plan error %T %v", typ, query, err, err)
		}
	})
}
