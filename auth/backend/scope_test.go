package backend

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGrantScopes(t *testing.T) {
	tests := []struct {
		name, requested, allowed string
		want, wantErr            string
	}{
		{name: "same", requested: "system/*.rs", allowed: "system/*.rs", want: "system/*.rs"},
		{name: "one type under all", requested: "system/Observation.rs", allowed: "system/*.rs", want: "system/Observation.rs"},
		{name: "permissions narrowed", requested: "system/*.cruds", allowed: "system/*.rs", want: "system/*.rs"},
		{name: "all narrowed to the allowed type", requested: "system/*.rs", allowed: "system/Patient.cruds", want: "system/Patient.rs"},
		{name: "several allowed scopes", requested: "system/*.cruds", allowed: "system/Patient.rs system/Observation.cruds",
			want: "system/Patient.rs system/Observation.cruds"},
		{name: "v1 request", requested: "system/*.read", allowed: "system/*.rs", want: "system/*.rs"},
		{name: "v1 write request under read", requested: "system/*.write", allowed: "system/*.rs", wantErr: "no requested scope"},
		{name: "duplicates granted once", requested: "system/*.rs system/*.read", allowed: "system/*.rs", want: "system/*.rs"},
		{name: "filters combined", requested: "system/Observation.rs?code=http://loinc.org|1234-5", allowed: "system/Observation.rs?category=laboratory",
			want: "system/Observation.rs?code=http://loinc.org|1234-5&category=laboratory"},
		{name: "same filter once", requested: "system/Observation.rs?category=laboratory", allowed: "system/Observation.rs?category=laboratory",
			want: "system/Observation.rs?category=laboratory"},
		{name: "filter kept from the request", requested: "system/Observation.s?category=vital-signs", allowed: "system/*.rs",
			want: "system/Observation.s?category=vital-signs"},
		{name: "a reserved character in a constraint", requested: "system/Observation.rs?code=a%2Cb", allowed: "system/*.rs",
			wantErr: "reserved character"},
		{name: "other types", requested: "system/Patient.rs", allowed: "system/Observation.rs", wantErr: "no requested scope"},
		{name: "no common permission", requested: "system/*.c", allowed: "system/*.rs", wantErr: "no requested scope"},
		{name: "patient and user scopes", requested: "patient/*.rs user/*.rs openid", allowed: "system/*.rs", wantErr: "no requested scope"},
		{name: "others ignored beside a grant", requested: "openid patient/*.rs system/Patient.r", allowed: "system/*.rs", want: "system/Patient.r"},
		{name: "malformed", requested: "system/Nope.rs", allowed: "system/*.rs", wantErr: `unknown resource type "Nope"`},
		{name: "empty", requested: " ", allowed: "system/*.rs", wantErr: "no requested scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allowed, err := ParseSystemScopes(tt.allowed)
			require.NoError(t, err)
			got, err := GrantScopes(tt.requested, allowed)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseSystemScopes(t *testing.T) {
	tests := []struct {
		name, list string
		want       []string
		wantErr    string
	}{
		{name: "one", list: "system/*.rs", want: []string{"system/*.rs"}},
		{name: "several and v1", list: " system/Patient.read  system/Observation.cruds ", want: []string{"system/Patient.rs", "system/Observation.cruds"}},
		{name: "empty", list: "", wantErr: "no scope"},
		{name: "patient scope", list: "system/*.rs patient/*.rs", wantErr: "not a system/"},
		{name: "openid", list: "openid", wantErr: "not a system/"},
		{name: "malformed", list: "system/*.xyz", wantErr: "permissions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSystemScopes(tt.list)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			var s []string
			for _, sc := range got {
				s = append(s, sc.String())
			}
			require.Equal(t, tt.want, s)
		})
	}
}
