package normalize

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCanonicalDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		k    kind
		want string // "" when the value must be left as it is
	}{
		{"2020", kindDate, ""},
		{"2020-03", kindDate, ""},
		{"2020-3", kindDate, "2020-03"},
		{"2020-3-5", kindDate, "2020-03-05"},
		{" 2020-03-05 ", kindDate, "2020-03-05"},
		{"2020/03/05", kindDate, "2020-03-05"},
		{"20200305", kindDate, "2020-03-05"},
		{"2020-03/05", kindDate, ""},
		{"03/05/2020", kindDate, ""},
		{"2020-02-30", kindDate, ""},
		{"2020-13-01", kindDate, ""},
		{"0000-01-01", kindDate, ""},
		{"2020-03-05T10:00:00Z", kindDate, ""},
		{"2020-03-05T10:00:00Z", kindDateTime, ""},
		{"2020-03-05T10:00:00+0000", kindDateTime, "2020-03-05T10:00:00+00:00"},
		{"2020-03-05T10:00:00+05", kindDateTime, "2020-03-05T10:00:00+05:00"},
		{"2020-03-05T10:00:00-5:30", kindDateTime, "2020-03-05T10:00:00-05:30"},
		{"2020-03-05T9:00:00z", kindDateTime, "2020-03-05T09:00:00Z"},
		{"2020-03-05 10:00 GMT", kindDateTime, "2020-03-05T10:00:00Z"},
		{"2020-03-05T10:00:00,25Z", kindDateTime, "2020-03-05T10:00:00.25Z"},
		{"2020-03-05T10:00:00", kindDateTime, ""},
		{"2020-03-05 10:00", kindDateTime, ""},
		{"2020-03-05T24:00:00Z", kindDateTime, ""},
		{"2020-03-05T10:00:00+15:00", kindDateTime, ""},
		{"2020-03-05T10:0:00Z", kindDateTime, ""},
		{"2020-03-05T10:00:00.Z", kindDateTime, ""},
		{"2020-03-05", kindInstant, ""},
		{"2020-03-05t10:00:00.123z", kindInstant, "2020-03-05T10:00:00.123Z"},
		{"2020-3", kindDateTime, "2020-03"},
		{"2020-03-05T10:00:00+0130", kindInstant, "2020-03-05T10:00:00+01:30"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := canonicalDate(tc.in, tc.k)
			want := tc.want
			if want == "" {
				want = tc.in
			}
			require.Equal(t, want, got)
			if canonicalShape([]byte(tc.in)) {
				require.Equal(t, tc.in, got, "canonical shape must be a fixpoint")
			}
			if ok {
				require.True(t, canonicalShape([]byte(got)), "output has the canonical shape")
				again, ok2 := canonicalDate(got, tc.k)
				require.True(t, ok2)
				require.Equal(t, got, again, "idempotent")
			}
		})
	}
}

func TestCanonicalSystem(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SNOMED", "http://snomed.info/sct"},
		{"snomed ct", "http://snomed.info/sct"},
		{"urn:oid:2.16.840.1.113883.6.96", "http://snomed.info/sct"},
		{"2.16.840.1.113883.6.1", "http://loinc.org"},
		{"http://loinc.org/", "http://loinc.org"},
		{"2.16.840.1.113883.6.88", "http://www.nlm.nih.gov/research/umls/rxnorm"},
		{"2.16.840.1.113883.6.90", "http://hl7.org/fhir/sid/icd-10-cm"},
		{"2.16.840.1.113883.6.3", "http://hl7.org/fhir/sid/icd-10"},
		{"2.16.840.1.113883.6.103", "http://hl7.org/fhir/sid/icd-9-cm"},
		{"2.16.840.1.113883.6.12", "http://www.ama-assn.org/go/cpt"},
		{"2.16.840.1.113883.12.292", "http://hl7.org/fhir/sid/cvx"},
		{"2.16.840.1.113883.6.69", "http://hl7.org/fhir/sid/ndc"},
		{"2.16.840.1.113883.6.8", "http://unitsofmeasure.org"},
		{"http://snomed.info/sct", "http://snomed.info/sct"},
		{"http://example.org/x", "http://example.org/x"},
		{"urn:oid:1.2.3", "urn:oid:1.2.3"},
	} {
		got, _ := canonicalSystem(tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

// TestSystemAliasesUnique checks no alias names two systems.
func TestSystemAliasesUnique(t *testing.T) {
	seen := map[string]string{}
	for _, cs := range codeSystems {
		for _, a := range append([]string{cs.uri}, cs.aliases...) {
			k := systemKey(a)
			prev, dup := seen[k]
			require.False(t, dup, "%q names %s and %s", a, prev, cs.uri)
			seen[k] = cs.uri
		}
	}
}

func TestUCUMCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"mg/dl", "mg/dL"}, {"MG/DL", "mg/dL"}, {"mg/dL", "mg/dL"}, {"mmHg", "mm[Hg]"},
		{"kg", "kg"}, {"lbs", "[lb_av]"}, {"LB", "[lb_av]"}, {"in", "[in_i]"}, {"degF", "[degF]"},
		{"°F", "[degF]"}, {"bpm", "/min"}, {"beats/min", "/min"}, {"%", "%"}, {"mmol/L", "mmol/L"},
		{"g/dL", "g/dL"}, {"10*3/uL", "10*3/uL"}, {"10^3/uL", "10*3/uL"}, {" kg/m^2 ", "kg/m2"},
		{"a", "a"}, {"A", ""}, {"C", ""}, {"l", ""}, {"{beats}/min", ""}, {"furlongs", ""},
	} {
		require.Equal(t, tc.want, ucumCode(tc.in), tc.in)
	}
}

// TestUCUMSpellingsUnique checks that a spelling never folds onto another
// unit's code, and that every code's own spelling maps to itself.
func TestUCUMSpellingsUnique(t *testing.T) {
	owner := map[string]string{}
	for _, u := range ucumUnits {
		for _, s := range u.spellings {
			k := strings.ToLower(s)
			prev, dup := owner[k]
			require.False(t, dup, "%q spells %s and %s", s, prev, u.code)
			owner[k] = u.code
		}
	}
	for _, u := range ucumUnits {
		require.Equal(t, u.code, ucumCode(u.code))
		if o, ok := owner[strings.ToLower(u.code)]; ok {
			require.Equal(t, u.code, o, "code %s folds onto another unit", u.code)
		}
	}
	require.GreaterOrEqual(t, len(ucumUnits), 40)
}

func TestCollapseSpaceAndFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"abc", "abc"}, {" abc", "abc"}, {"a  b", "a b"}, {"a\tb", "a b"}, {"a b", "a b"}, {"\t a \n b \r", "a b"}, {"   ", ""},
	} {
		require.Equal(t, tc.want, collapseSpace(tc.in), "%q", tc.in)
	}
	codes := []string{"male", "female", "other", "unknown"}
	require.Equal(t, "male", foldRequired(codes, "MALE"))
	require.Equal(t, "male", foldRequired(codes, "male"))
	require.Equal(t, "m", foldRequired(codes, "m"))
	require.Equal(t, "X", foldRequired([]string{"x", "X"}, "X"))
	require.Equal(t, "Ab", foldRequired([]string{"ab", "AB"}, "Ab"), "ambiguous fold is left alone")
}

func TestTelecom(t *testing.T) {
	none, us, uk := &Options{}, &Options{CallingCode: "1", TrunkPrefix: "1"}, &Options{CallingCode: "44", TrunkPrefix: "0"}
	for _, tc := range []struct {
		o        *Options
		in, want string
	}{
		{none, "555-760-2836", "5557602836"},
		{none, "+1 (555) 760-2836", "+15557602836"},
		{none, "+44 20 7946 0958", "+442079460958"},
		{none, "555-CALL-NOW", "555-CALL-NOW"},
		{none, "555 1234 x12", "555 1234 x12"},
		{none, "--", "--"},
		{us, "(555) 760-2836", "+15557602836"},
		{us, "1 555 760 2836", "+15557602836"},
		{us, "911", "911"},
		{uk, "020 7946 0958", "+442079460958"},
		{uk, "+33 1 23 45 67 89", "+33123456789"},
	} {
		require.Equal(t, tc.want, canonicalPhone(tc.o, tc.in), tc.in)
		require.Equal(t, tc.want, canonicalPhone(tc.o, tc.want), "idempotent "+tc.in)
	}
	for _, tc := range []struct{ in, want string }{
		{"Jo.Doe@Example.COM", "Jo.Doe@example.com"},
		{" mailto:a@B.org ", "a@b.org"},
		{"MAILTO: mailto:a@B.org", "a@b.org"},
		{"mailto:", "mailto:"},
		{"not an address", "not an address"},
		{"a@b@C.D", "a@b@c.d"},
		{"   ", "   "},
	} {
		require.Equal(t, tc.want, canonicalEmail(tc.in), tc.in)
		require.Equal(t, tc.want, canonicalEmail(tc.want), "idempotent "+tc.in)
	}
}
