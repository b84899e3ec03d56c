package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fhirlake/fhirlake/internal/testutil"
	"github.com/stretchr/testify/require"
)

func TestSplitUnion(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Patient.name", []string{"Patient.name"}},
		{"A.x | B.y", []string{"A.x", "B.y"}},
		{"(A.value as Quantity) | (A.value as Range)", []string{"(A.value as Quantity)", "(A.value as Range)"}},
		{"A.x.where(a = 'p|q') | B.y", []string{"A.x.where(a = 'p|q')", "B.y"}},
		{"A.x.where(a = 'it\\'s|') | B.y", []string{"A.x.where(a = 'it\\'s|')", "B.y"}},
		{"(A.x | A.y).first() | B.z", []string{"(A.x | A.y).first()", "B.z"}},
		{"A.x[0] | B", []string{"A.x[0]", "B"}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			require.Equal(t, tc.want, SplitUnion(tc.in))
		})
	}
}

func TestExpressionFor(t *testing.T) {
	const clinical = "AllergyIntolerance.patient | CarePlan.subject.where(resolve() is Patient) | (Condition.onset as dateTime)"
	tests := []struct{ expr, base, want string }{
		{clinical, "AllergyIntolerance", "AllergyIntolerance.patient"},
		{clinical, "CarePlan", "CarePlan.subject.where(resolve() is Patient)"},
		{clinical, "Condition", "(Condition.onset as dateTime)"},
		{"Observation | Observation.component", "Observation", "Observation | Observation.component"},
		{"name | alias", "InsurancePlan", "name | alias"},
		{"Resource.id", "Resource", "Resource.id"},
		{"", "DomainResource", ""},
	}
	for _, tc := range tests {
		t.Run(tc.base+" "+tc.expr, func(t *testing.T) {
			require.Equal(t, tc.want, ExpressionFor(tc.expr, tc.base))
		})
	}
}

func TestNarrowTargets(t *testing.T) {
	all := []string{"Patient", "Group", "Device"}
	tests := []struct {
		expr string
		want []string
	}{
		{"X.subject.where(resolve() is Patient)", []string{"Patient"}},
		{"X.subject.where(resolve() is Patient) | X.other.where(resolve() is Device)", []string{"Patient", "Device"}},
		{"X.subject.where(resolve() is Patient) | X.patient", all},
		{"X.subject", all},
		{"X.subject.where(resolve() is Location)", all}, // not a listed target: keep the definition's list
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			require.Equal(t, tc.want, NarrowTargets(tc.expr, all))
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	_, err := Generate([]byte(`{`))
	require.ErrorContains(t, err, "gen: decode bundle")
	_, err = Generate([]byte(`{"entry":[{"resource":{"resourceType":"SearchParameter","id":"x","type":"fancy","base":["Patient"]}}]}`))
	require.ErrorContains(t, err, `gen: x: unknown type "fancy"`)
}

// TestUpToDate regenerates the table from the shared definitions and
// compares it with the checked-in search/params_table.go. It is skipped
// when the shared folder is missing, except under CI=true.
func TestUpToDate(t *testing.T) {
	in := filepath.Join(testutil.SharedDir(t, "data/fhir-r4"), "search-parameters.json")
	data, err := os.ReadFile(in)
	require.NoError(t, err)
	want, err := Generate(data)
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join("..", "..", "params_table.go"))
	require.NoError(t, err)
	require.True(t, string(want) == string(got), "search/params_table.go is stale: run go generate ./search")
}
