package linkage

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// base is the patient that TestComparators varies field by field.
var base = Patient{
	ID: "a", Family: "Johnson", Given: []string{"William", "Henry"}, BirthDate: "1980-03-07",
	Gender: "male", Line: "12 Oak Street", City: "Boston", PostalCode: "02108",
	Phones:      []string{"(617) 555-0123"},
	Identifiers: []Identifier{{"http://hl7.org/fhir/sid/us-ssn", "999-12-3456"}, {"http://a/mrn", "M1"}},
}

func TestComparators(t *testing.T) {
	type cmpFunc = func(a, b *record) (Outcome, bool)
	for _, c := range []struct {
		name    string
		cmp     cmpFunc
		change  func(p *Patient)
		want    Outcome
		missing bool
	}{
		{"family exact", compareFamily, func(p *Patient) { p.Family = "JOHNSON" }, FamilyExact, false},
		{"family accents and punctuation", compareFamily, func(p *Patient) { p.Family = "Jóhn-son" }, FamilyExact, false},
		{"family transposition", compareFamily, func(p *Patient) { p.Family = "Jonhson" }, FamilyClose, false},
		{"family typo", compareFamily, func(p *Patient) { p.Family = "Johnsen" }, FamilyClose, false},
		{"family second typo", compareFamily, func(p *Patient) { p.Family = "Johnsan" }, FamilyClose, false},
		{"family other", compareFamily, func(p *Patient) { p.Family = "Garcia" }, FamilyDiffer, false},
		{"family missing", compareFamily, func(p *Patient) { p.Family = "" }, 0, true},

		{"given exact", compareGiven, func(p *Patient) { p.Given = []string{"william"} }, GivenExact, false},
		{"given nickname", compareGiven, func(p *Patient) { p.Given = []string{"Bill"} }, GivenNickname, false},
		{"given typo", compareGiven, func(p *Patient) { p.Given = []string{"Wiliam"} }, GivenClose, false},
		{"given letter inserted", compareGiven, func(p *Patient) { p.Given = []string{"Wilxliam"} }, GivenClose, false},
		{"given initial", compareGiven, func(p *Patient) { p.Given = []string{"W."} }, GivenClose, false},
		{"given middle first", compareGiven, func(p *Patient) { p.Given = []string{"Henry"} }, GivenClose, false},
		{"given two in one string", compareGiven, func(p *Patient) { p.Given = []string{"William Henry"} }, GivenExact, false},
		{"given other", compareGiven, func(p *Patient) { p.Given = []string{"Robert"} }, GivenDiffer, false},
		{"given missing", compareGiven, func(p *Patient) { p.Given = nil }, 0, true},

		{"birth exact", compareBirth, func(p *Patient) {}, BirthExact, false},
		{"birth one day", compareBirth, func(p *Patient) { p.BirthDate = "1980-03-08" }, BirthOneDay, false},
		{"birth one day across a month", compareBirth, func(p *Patient) { p.BirthDate = "1980-02-29" }, BirthDiffer, false},
		{"birth swap", compareBirth, func(p *Patient) { p.BirthDate = "1980-07-03" }, BirthSwap, false},
		{"birth other year", compareBirth, func(p *Patient) { p.BirthDate = "1981-03-07" }, BirthDiffer, false},
		{"birth year only same", compareBirth, func(p *Patient) { p.BirthDate = "1980" }, BirthExact, false},
		{"birth month only other", compareBirth, func(p *Patient) { p.BirthDate = "1980-04" }, BirthDiffer, false},
		{"birth dateTime", compareBirth, func(p *Patient) { p.BirthDate = "1980-03-07T10:00:00Z" }, BirthExact, false},
		{"birth missing", compareBirth, func(p *Patient) { p.BirthDate = "" }, 0, true},
		{"birth malformed", compareBirth, func(p *Patient) { p.BirthDate = "7/3/1980" }, 0, true},

		{"sex same", compareSex, func(p *Patient) {}, SexSame, false},
		{"sex differ", compareSex, func(p *Patient) { p.Gender = "female" }, SexDiffer, false},
		{"sex unknown", compareSex, func(p *Patient) { p.Gender = "unknown" }, 0, true},

		{"line abbreviated", compareLine, func(p *Patient) { p.Line = "12 Oak St" }, LineExact, false},
		{"line typo", compareLine, func(p *Patient) { p.Line = "12 Oak Stret" }, LineClose, false},
		{"line other", compareLine, func(p *Patient) { p.Line = "4410 Maple Dr" }, LineDiffer, false},
		{"line missing", compareLine, func(p *Patient) { p.Line = "" }, 0, true},
		{"city case", compareCity, func(p *Patient) { p.City = "BOSTON" }, CitySame, false},
		{"city other", compareCity, func(p *Patient) { p.City = "Denver" }, CityDiffer, false},
		{"postal zip+4", comparePostal, func(p *Patient) { p.PostalCode = "02108-4411" }, PostalSame, false},
		{"postal other", comparePostal, func(p *Patient) { p.PostalCode = "80202" }, PostalDiffer, false},
		{"postal missing", comparePostal, func(p *Patient) { p.PostalCode = "" }, 0, true},

		{"phone same digits", comparePhone, func(p *Patient) { p.Phones = []string{"617.555.0123"} }, PhoneSame, false},
		{"phone one of two", comparePhone, func(p *Patient) { p.Phones = []string{"303 555 0100", "+1 617 555 0123"} }, PhoneSame, false},
		{"phone other", comparePhone, func(p *Patient) { p.Phones = []string{"303 555 0100"} }, PhoneDiffer, false},
		{"phone missing", comparePhone, func(p *Patient) { p.Phones = nil }, 0, true},

		{"identifier same", compareIdentifiers, func(p *Patient) {
			p.Identifiers = []Identifier{{"http://b/mrn", "X9"}, {"http://hl7.org/fhir/sid/us-ssn", "999-12-3456"}}
		}, IdentifierSame, false},
		{"identifier differ", compareIdentifiers, func(p *Patient) {
			p.Identifiers = []Identifier{{"http://hl7.org/fhir/sid/us-ssn", "999-65-4321"}}
		}, IdentifierDiffer, false},
		{"identifier same system other value and equal one", compareIdentifiers, func(p *Patient) {
			p.Identifiers = []Identifier{{"http://a/mrn", "M2"}, {"http://hl7.org/fhir/sid/us-ssn", "999-12-3456"}}
		}, IdentifierSame, false},
		{"identifier no shared system", compareIdentifiers, func(p *Patient) {
			p.Identifiers = []Identifier{{"http://b/mrn", "M1"}}
		}, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			other := base
			other.ID = "b"
			c.change(&other)
			a, b := prepare(base), prepare(other)
			got, ok := c.cmp(&a, &b)
			require.Equal(t, !c.missing, ok)
			if ok {
				require.Equal(t, c.want, got, "got %s", got)
			}
			back, okBack := c.cmp(&b, &a)
			require.Equal(t, ok, okBack, "symmetric")
			require.Equal(t, got, back, "symmetric")
		})
	}
}

func TestModel(t *testing.T) {
	w, err := compile(nil)
	require.NoError(t, err)
	for _, o := range Outcomes() {
		def := DefaultModel()[o]
		require.InDelta(t, def.Weight(), w[o], 1e-12, o.String())
	}
	require.Greater(t, w[BirthExact], w[FamilyExact], "a birth date is rarer than a family name")
	require.Negative(t, w[IdentifierDiffer])
	require.Equal(t, "given:nickname", GivenNickname.String())
	require.Equal(t, "outcome(200)", Outcome(200).String())

	for _, c := range []struct {
		name  string
		model map[Outcome]Prob
		want  string
	}{
		{"m zero", map[Outcome]Prob{SexSame: {0, 0.5}}, "sex:same: m and u must be in (0, 1)"},
		{"u one", map[Outcome]Prob{SexSame: {0.5, 1}}, "sex:same"},
		{"unknown outcome", map[Outcome]Prob{Outcome(99): {0.5, 0.5}}, "unknown outcome(99)"},
	} {
		_, err := compile(c.model)
		require.ErrorContains(t, err, c.want, c.name)
	}
	custom, err := compile(map[Outcome]Prob{SexSame: {0.5, 0.25}})
	require.NoError(t, err)
	require.InDelta(t, 1, custom[SexSame], 1e-12)
}
