package smart

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// allInteractions lists every interaction, for exhaustive rows.
var allInteractions = []Interaction{Read, VRead, History, Search, Create, Update, Delete}

// principal builds a Principal from a scope list and patient claim.
func principal(t *testing.T, scopes, patient string) Principal {
	t.Helper()
	s, errs := ParseScopes(scopes)
	require.Empty(t, errs)
	return Principal{Subject: "s", Scopes: s, Patient: patient}
}

// filterStrings renders a decision's filters for comparison.
func filterStrings(d Decision) []string {
	var out []string
	for _, f := range d.Filters {
		out = append(out, f.String())
	}
	return out
}

func TestAllows(t *testing.T) {
	const lab = "category=laboratory"
	tests := []struct {
		name    string
		scopes  string
		patient string
		typ     string
		allow   []Interaction // the rest of allInteractions are denied
		wantPat string        // expected Decision.Patient when allowed
		filters []string      // expected Decision.Filters when allowed
	}{
		{name: "v2 patient rs", scopes: "patient/Observation.rs", patient: "p1", typ: "Observation",
			allow: []Interaction{Read, VRead, History, Search}, wantPat: "p1"},
		{name: "v2 patient rs other type", scopes: "patient/Observation.rs", patient: "p1", typ: "Condition"},
		{name: "v2 patient rs without patient claim", scopes: "patient/Observation.rs", typ: "Observation"},
		{name: "v2 patient r only", scopes: "patient/Observation.r", patient: "p1", typ: "Observation",
			allow: []Interaction{Read, VRead, History}, wantPat: "p1"},
		{name: "v2 patient s only", scopes: "patient/Observation.s", patient: "p1", typ: "Observation",
			allow: []Interaction{Search}, wantPat: "p1"},
		{name: "v2 patient wildcard cruds", scopes: "patient/*.cruds", patient: "p1", typ: "MedicationRequest",
			allow: allInteractions, wantPat: "p1"},
		{name: "v2 user wildcard cruds", scopes: "user/*.cruds", typ: "Patient", allow: allInteractions},
		{name: "v2 user wildcard cruds ignores patient claim", scopes: "user/*.cruds", patient: "p1", typ: "Patient", allow: allInteractions},
		{name: "v2 system rs", scopes: "system/*.rs", typ: "Encounter", allow: []Interaction{Read, VRead, History, Search}},
		{name: "v2 system c", scopes: "system/Patient.c", typ: "Patient", allow: []Interaction{Create}},
		{name: "v2 user ud", scopes: "user/Encounter.ud", typ: "Encounter", allow: []Interaction{Update, Delete}},
		{name: "v1 patient read", scopes: "patient/Observation.read", patient: "p1", typ: "Observation",
			allow: []Interaction{Read, VRead, History, Search}, wantPat: "p1"},
		{name: "v1 user write", scopes: "user/*.write", typ: "Observation", allow: []Interaction{Create, Update, Delete}},
		{name: "v1 user star", scopes: "user/*.*", typ: "Observation", allow: allInteractions},
		{name: "v1 patient star without patient claim", scopes: "patient/*.*", typ: "Observation"},
		{name: "v1 system read", scopes: "system/*.read", typ: "Patient", allow: []Interaction{Read, VRead, History, Search}},
		{name: "other scopes grant nothing", scopes: "openid fhirUser launch/patient offline_access *.*", patient: "p1", typ: "Patient"},
		{name: "no scopes", typ: "Patient"},
		{name: "unknown resource type", scopes: "user/*.cruds", typ: "Bogus"},
		{name: "lower-case type", scopes: "user/*.cruds", typ: "patient"},
		{name: "patient filter", scopes: "patient/Observation.rs?" + lab, patient: "p1", typ: "Observation",
			allow: []Interaction{Read, VRead, History, Search}, wantPat: "p1", filters: []string{lab}},
		{name: "user filter", scopes: "user/Observation.rs?" + lab, typ: "Observation",
			allow: []Interaction{Read, VRead, History, Search}, filters: []string{lab}},
		{name: "two filters are alternatives", scopes: "user/Observation.rs?" + lab + " user/Observation.rs?code=x|1", typ: "Observation",
			allow: []Interaction{Read, VRead, History, Search}, filters: []string{lab, "code=x|1"}},
		{name: "unfiltered scope wins over filtered", scopes: "user/Observation.rs?" + lab + " user/*.rs", typ: "Observation",
			allow: []Interaction{Read, VRead, History, Search}},
		{name: "patient unfiltered wins over patient filtered", scopes: "patient/Observation.rs?" + lab + " patient/Observation.rs", patient: "p1",
			typ: "Observation", allow: []Interaction{Read, VRead, History, Search}, wantPat: "p1"},
		{name: "mixed patient and filtered user keeps patient grants", scopes: "patient/Observation.rs user/Observation.rs?" + lab, patient: "p1",
			typ: "Observation", allow: []Interaction{Read, VRead, History, Search}, wantPat: "p1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := principal(t, tt.scopes, tt.patient)
			allowed := map[Interaction]bool{}
			for _, in := range tt.allow {
				allowed[in] = true
			}
			for _, in := range allInteractions {
				d := p.Allows(in, tt.typ)
				if !allowed[in] {
					require.False(t, d.Allowed, "%s should be denied", in)
					require.NotEmpty(t, d.Reason)
					continue
				}
				require.True(t, d.Allowed, "%s should be allowed: %s", in, d.Reason)
				require.Empty(t, d.Reason)
				if in == Search || in == Read {
					require.Equal(t, tt.wantPat, d.Patient, "%s patient", in)
					require.Equal(t, tt.filters, filterStrings(d), "%s filters", in)
				}
			}
		})
	}
}

func TestAllowsPatientVersusUser(t *testing.T) {
	p := principal(t, "patient/*.cruds user/Observation.rs", "p1")
	require.Equal(t, Decision{Allowed: true}, p.Allows(Search, "Observation"), "user scope lifts the compartment for search")
	require.Equal(t, Decision{Allowed: true, Patient: "p1"}, p.Allows(Create, "Observation"), "create comes from the patient scope only")
	require.Equal(t, Decision{Allowed: true, Patient: "p1"}, p.Allows(Read, "Condition"))
	require.False(t, p.Allows(Interaction(0), "Observation").Allowed)
}

func TestIntersect(t *testing.T) {
	f := func(s string) Filter { return Filter{{Param: "category", Values: []string{s}}} }
	deny := Decision{Reason: "no"}
	tests := []struct {
		name string
		a, b Decision
		want Decision
	}{
		{name: "deny left", a: deny, b: Decision{Allowed: true}, want: deny},
		{name: "deny right", a: Decision{Allowed: true}, b: deny, want: deny},
		{name: "open both", a: Decision{Allowed: true}, b: Decision{Allowed: true}, want: Decision{Allowed: true}},
		{name: "patient from either", a: Decision{Allowed: true}, b: Decision{Allowed: true, Patient: "p"}, want: Decision{Allowed: true, Patient: "p"}},
		{name: "different patients", a: Decision{Allowed: true, Patient: "p"}, b: Decision{Allowed: true, Patient: "q"},
			want: Decision{Reason: "smart: decisions restrict to different patients"}},
		{name: "filters from one side", a: Decision{Allowed: true, Filters: []Filter{f("a")}}, b: Decision{Allowed: true},
			want: Decision{Allowed: true, Filters: []Filter{f("a")}}},
		{name: "filters crossed", a: Decision{Allowed: true, Filters: []Filter{f("a"), f("b")}}, b: Decision{Allowed: true, Filters: []Filter{f("c")}},
			want: Decision{Allowed: true, Filters: []Filter{append(f("a"), f("c")...), append(f("b"), f("c")...)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Intersect(tt.a, tt.b))
		})
	}
}

func TestEverything(t *testing.T) {
	types := []string{"Patient", "Observation", "Condition", "Encounter", "MedicationRequest"}
	tests := []struct {
		name    string
		scopes  string
		patient string
		want    map[string]Decision
	}{
		{name: "patient wildcard rs", scopes: "patient/*.rs", patient: "p1", want: map[string]Decision{
			"Patient": {Allowed: true, Patient: "p1"}, "Observation": {Allowed: true, Patient: "p1"},
			"Condition": {Allowed: true, Patient: "p1"}, "Encounter": {Allowed: true, Patient: "p1"},
			"MedicationRequest": {Allowed: true, Patient: "p1"}}},
		{name: "read without search excluded", scopes: "patient/Patient.rs patient/Observation.r patient/Condition.s", patient: "p1",
			want: map[string]Decision{"Patient": {Allowed: true, Patient: "p1"}}},
		{name: "read and search from separate scopes", scopes: "patient/Observation.r patient/Observation.s?category=lab", patient: "p1",
			want: map[string]Decision{"Observation": {Allowed: true, Patient: "p1",
				Filters: []Filter{{{Param: "category", Values: []string{"lab"}}}}}}},
		{name: "no patient claim", scopes: "patient/*.rs", want: map[string]Decision{}},
		{name: "system", scopes: "system/*.read", want: map[string]Decision{
			"Patient": {Allowed: true}, "Observation": {Allowed: true}, "Condition": {Allowed: true},
			"Encounter": {Allowed: true}, "MedicationRequest": {Allowed: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, principal(t, tt.scopes, tt.patient).Everything(types))
		})
	}
}
