package smart

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseScope(t *testing.T) {
	cat := "http://terminology.hl7.org/CodeSystem/observation-category|laboratory"
	tests := []struct {
		input   string
		want    Scope // Raw is filled in from input
		wantStr string
		wantErr string
	}{
		// SMART v2.
		{input: "patient/Observation.rs", want: Scope{Context: PatientContext, ResourceType: "Observation", Permissions: PermRead | PermSearch}},
		{input: "user/*.cruds", want: Scope{Context: UserContext, ResourceType: "*", Permissions: PermCreate | PermRead | PermUpdate | PermDelete | PermSearch}},
		{input: "system/*.rs", want: Scope{Context: SystemContext, ResourceType: "*", Permissions: PermRead | PermSearch}},
		{input: "system/Patient.c", want: Scope{Context: SystemContext, ResourceType: "Patient", Permissions: PermCreate}},
		{input: "user/Encounter.ud", want: Scope{Context: UserContext, ResourceType: "Encounter", Permissions: PermUpdate | PermDelete}},
		{input: "patient/Observation.rs?category=" + cat, want: Scope{Context: PatientContext, ResourceType: "Observation",
			Permissions: PermRead | PermSearch, Filter: Filter{{Param: "category", Values: []string{cat}}}}},
		{input: "user/Observation.rs?code=http://loinc.org|1234-5,http://loinc.org|2345-7&category=vital-signs",
			want: Scope{Context: UserContext, ResourceType: "Observation", Permissions: PermRead | PermSearch,
				Filter: Filter{{Param: "code", Values: []string{"http://loinc.org|1234-5", "http://loinc.org|2345-7"}},
					{Param: "category", Values: []string{"vital-signs"}}}}},
		{input: "patient/Condition.rs?category=http%3A%2F%2Fx%7Cproblem", wantStr: "patient/Condition.rs?category=http://x|problem",
			want: Scope{Context: PatientContext, ResourceType: "Condition", Permissions: PermRead | PermSearch,
				Filter: Filter{{Param: "category", Values: []string{"http://x|problem"}}}}},
		{input: "patient/Observation.rs?code=|abc&code=sys|", want: Scope{Context: PatientContext, ResourceType: "Observation",
			Permissions: PermRead | PermSearch, Filter: Filter{{Param: "code", Values: []string{"|abc"}}, {Param: "code", Values: []string{"sys|"}}}}},
		// SMART v1 spellings.
		{input: "patient/Observation.read", wantStr: "patient/Observation.rs", want: Scope{Context: PatientContext, ResourceType: "Observation", Permissions: PermRead | PermSearch, V1: true}},
		{input: "user/*.write", wantStr: "user/*.cud", want: Scope{Context: UserContext, ResourceType: "*", Permissions: PermCreate | PermUpdate | PermDelete, V1: true}},
		{input: "user/*.*", wantStr: "user/*.cruds", want: Scope{Context: UserContext, ResourceType: "*", Permissions: PermCreate | PermRead | PermUpdate | PermDelete | PermSearch, V1: true}},
		{input: "system/Patient.*", wantStr: "system/Patient.cruds", want: Scope{Context: SystemContext, ResourceType: "Patient", Permissions: PermCreate | PermRead | PermUpdate | PermDelete | PermSearch, V1: true}},
		// Other scopes, kept but never granting.
		{input: "openid", want: Scope{}},
		{input: "fhirUser", want: Scope{}},
		{input: "launch/patient", want: Scope{}},
		{input: "offline_access", want: Scope{}},
		{input: "*.*", want: Scope{}},
		{input: "Patient/Observation.read", want: Scope{}},
		// Errors.
		{input: "", wantErr: "empty"},
		{input: "patient/Observation", wantErr: "missing permissions"},
		{input: "patient/Observation.", wantErr: "permissions"},
		{input: "patient/Observation.sr", wantErr: "ordered subset"},
		{input: "patient/Observation.rr", wantErr: "ordered subset"},
		{input: "patient/Observation.x", wantErr: "ordered subset"},
		{input: "patient/Observation.READ", wantErr: "ordered subset"},
		{input: "patient/observation.rs", wantErr: "unknown resource type"},
		{input: "patient/Foo.rs", wantErr: "unknown resource type"},
		{input: "patient/.rs", wantErr: "unknown resource type"},
		{input: "patient/Observation.rs?", wantErr: "empty query"},
		{input: "patient/Observation.rs?status=final", wantErr: "unsupported query parameter \"status\""},
		{input: "patient/Observation.rs?code:in=http://vs", wantErr: "unsupported query parameter"},
		{input: "patient/Observation.rs?category", wantErr: "no value"},
		{input: "patient/Observation.rs?category=", wantErr: "empty token"},
		{input: "patient/Observation.rs?category=a,", wantErr: "empty token"},
		{input: "patient/Observation.rs?category=|", wantErr: "empty token"},
		{input: "patient/Observation.rs?category=a|b|c", wantErr: "more than one"},
		{input: "patient/Observation.rs?category=a%26b", wantErr: "reserved character"},
		{input: "patient/Observation.rs?category=a%20b", wantErr: "space or control"},
		{input: "patient/Observation.rs?category=%zz", wantErr: "invalid URL escape"},
		{input: "patient/Observation.read?category=x", wantErr: "need v2"},
		{input: "patient/Observation.rs ", wantErr: "space"},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, err := ParseScope(tt.input)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.True(t, strings.HasPrefix(err.Error(), "smart: scope "), err.Error())
				return
			}
			require.NoError(t, err)
			tt.want.Raw = tt.input
			require.Equal(t, tt.want, got)
			wantStr := tt.wantStr
			if wantStr == "" {
				wantStr = tt.input
			}
			require.Equal(t, wantStr, got.String())
		})
	}
}

func TestParseScopes(t *testing.T) {
	scopes, errs := ParseScopes("  openid fhirUser launch/patient\tpatient/Observation.rs patient/Bogus.rs offline_access user/*.read\n")
	got := make([]string, len(scopes))
	for i, s := range scopes {
		got[i] = s.String()
	}
	require.Equal(t, []string{"openid", "fhirUser", "launch/patient", "patient/Observation.rs", "offline_access", "user/*.rs"}, got)
	require.Len(t, errs, 1)
	require.ErrorContains(t, errs[0], `"patient/Bogus.rs"`)

	scopes, errs = ParseScopes("")
	require.Empty(t, scopes)
	require.Empty(t, errs)
}
