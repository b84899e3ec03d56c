package linkage

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFromFHIR(t *testing.T) {
	for _, c := range []struct {
		name    string
		body    string
		want    Patient
		wantErr string
	}{
		{
			name: "full",
			body: `{"resourceType":"Patient","id":"p1","identifier":[{"system":"http://a/mrn","value":"M1"},{"value":"no-system"}],
				"name":[{"use":"old","family":"Miller","given":["Ann"]},{"use":"official","family":"Smith","given":["Ann","Marie"]}],
				"telecom":[{"system":"email","value":"a@example.com"},{"system":"phone","value":"(617) 555-0100"}],
				"gender":"female","birthDate":"1970-01-31",
				"address":[{"use":"work","line":["1 Work Way"],"city":"Denver"},{"use":"home","line":["2 Home St","Apt 3"],"city":"Boston","postalCode":"02108"}]}`,
			want: Patient{ID: "p1", Family: "Smith", Given: []string{"Ann", "Marie"}, BirthDate: "1970-01-31",
				Gender: "female", Line: "2 Home St", City: "Boston", PostalCode: "02108",
				Phones: []string{"(617) 555-0100"}, Identifiers: []Identifier{{"http://a/mrn", "M1"}}},
		},
		{
			name: "first name not old, first address",
			body: `{"resourceType":"Patient","id":"p2","name":[{"use":"old","family":"Old"},{"family":"New"}],"address":[{"city":"Austin"}]}`,
			want: Patient{ID: "p2", Family: "New", City: "Austin"},
		},
		{
			name: "name as text",
			body: `{"resourceType":"Patient","id":"p3","name":[{"text":"Mary Ann Lee"}]}`,
			want: Patient{ID: "p3", Family: "Lee", Given: []string{"Mary", "Ann"}},
		},
		{name: "minimal", body: `{"resourceType":"Patient","id":"p4"}`, want: Patient{ID: "p4"}},
		{name: "not a patient", body: `{"resourceType":"Observation","id":"o"}`, wantErr: "not a Patient resource"},
		{name: "no id", body: `{"resourceType":"Patient"}`, wantErr: "no id"},
		{name: "not an object", body: `[1]`, wantErr: "linkage: read Patient"},
		{name: "wrong type", body: `{"resourceType":"Patient","id":"p","name":"x"}`, wantErr: "linkage: read Patient"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := FromFHIR([]byte(c.body))
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}

func FuzzFromFHIR(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Patient","id":"p1","name":[{"family":"Smith","given":["Ann"]}],"birthDate":"1970-01-31","telecom":[{"system":"phone","value":"617 555 0100"}]}`))
	f.Add([]byte(`{"resourceType":"Patient","id":"p2","birthDate":"19x0-1","address":[{"line":[],"postalCode":"ü"}]}`))
	f.Add([]byte(`{"resourceType":"Patient","id":"p3","name":[{"text":"  "}],"identifier":[{"system":"s","value":"v"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 10<<10 {
			return
		}
		p, err := FromFHIR(body)
		if err != nil {
			return
		}
		if p.ID == "" {
			t.Fatalf("accepted a Patient without id: %q", body)
		}
		// Whatever was read must fold and compare without panicking, and
		// a record must agree with itself on every field it has.
		r := prepare(p)
		for _, cmp := range comparators {
			if o, ok := cmp(&r, &r); ok && o != FamilyExact && o != GivenExact && o != BirthExact &&
				o != SexSame && o != LineExact && o != CitySame && o != PostalSame && o != PhoneSame && o != IdentifierSame {
				t.Fatalf("record disagrees with itself: %s for %q", o, body)
			}
		}
		blockKeys(&r)
	})
}
