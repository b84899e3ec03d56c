package smart

import (
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func FuzzParseScopes(f *testing.F) {
	for _, s := range []string{
		"patient/Observation.rs", "user/*.cruds system/*.read", "openid fhirUser launch/patient offline_access",
		"patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory",
		"user/Observation.rs?code=a|b,c&category=d", "*.*", "patient/*.*", "user/Patient.write?x=y", "patient/Observation.rs?category=%7C",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		if len(list) > 10_000 {
			t.Skip()
		}
		scopes, errs := ParseScopes(list)
		if n := len(strings.Fields(list)); len(scopes)+len(errs) != n {
			t.Fatalf("%d scopes + %d errors for %d fields", len(scopes), len(errs), n)
		}
		for _, s := range scopes {
			if !s.IsResource() {
				p := Principal{Scopes: []Scope{s}, Patient: "p"}
				if p.Allows(Read, "Patient").Allowed {
					t.Fatalf("other scope %q granted read", s.Raw)
				}
				continue
			}
			again, err := ParseScope(s.String())
			if err != nil {
				t.Fatalf("canonical form %q of %q does not parse: %v", s.String(), s.Raw, err)
			}
			if again.String() != s.String() || again.Permissions != s.Permissions {
				t.Fatalf("round trip %q -> %q", s.String(), again.String())
			}
		}
	})
}

func FuzzVerify(f *testing.F) {
	k := keys(f)
	v := fileVerifier(f)
	for _, s := range []string{
		"", "a.b", "a.b.c", "eyJhbGciOiJub25lIn0.e30.",
		sign(f, k.rogue, jose.RS256, "rsa1", claims(testNow)),
		sign(f, k.rogue, jose.RS256, "", claims(testNow)),
		signRaw(f, k.rogue, jose.RS256, "ec1", []byte("{}")),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		p, err := v.Verify(t.Context(), token)
		if err == nil {
			t.Fatalf("token verified without the signing key: %+v", p)
		}
	})
}
