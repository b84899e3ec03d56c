package synth

import (
	"strings"
	"time"
)

// person holds the demographics of the patient being generated.
type person struct {
	id       string
	index    int
	gender   string // administrative gender written to Patient.gender
	female   bool   // physiology used for norms (heights, creatinine)
	given    []string
	family   string
	birth    time.Time
	death    time.Time // zero when alive
	end      time.Time // death or ReferenceDate
	home     city
	org      int // index into pool.orgs
	gp       int // index into pool.staff[org]
	height   float64
	baseBMI  float64
	obeseBMI float64
}

// ageBuckets is a rounded US age pyramid (US Census Bureau, 2020 census
// age and sex composition): share of the population by decade of age,
// the last bucket covering 90 to 100.
var ageBuckets = []float64{12, 12.5, 13.5, 13.5, 12.5, 12.5, 12, 7.5, 3.5, 0.5}

// deathProbability is the chance that a patient of this age (at the
// reference date, had they lived) died in the last ten years; it gives an
// overall deceased share of about 9%.
func deathProbability(age float64) float64 {
	switch {
	case age < 18:
		return 0.01
	case age < 50:
		return 0.04
	case age < 70:
		return 0.12
	case age < 85:
		return 0.30
	default:
		return 0.50
	}
}

// newPerson draws the demographics of patient index.
func newPerson(r *rng, pl *pool, index int) person {
	p := person{id: r.uuid(), index: index}
	switch x := r.Float64(); {
	case x < 0.495:
		p.gender, p.female = "male", false
	case x < 0.99:
		p.gender, p.female = "female", true
	case x < 0.995:
		p.gender, p.female = "other", r.chance(0.5)
	default:
		p.gender, p.female = "unknown", r.chance(0.5)
	}
	names := maleGivenNames
	if p.female {
		names = femaleGivenNames
	}
	p.given = []string{pick(r, names)}
	if r.chance(0.4) {
		p.given = append(p.given, pick(r, names))
	}
	p.family = pick(r, familyNames)

	decade := r.weighted(ageBuckets)
	width := 10.0
	if decade == len(ageBuckets)-1 {
		width = 11
	}
	age := float64(decade)*10 + r.Float64()*width
	p.birth = addYears(ReferenceDate, -age).Truncate(24 * time.Hour)
	p.end = ReferenceDate
	if r.chance(deathProbability(age)) {
		from := latest(p.birth.Add(48*time.Hour), ReferenceDate.AddDate(-10, 0, 0))
		if from.Before(ReferenceDate.Add(-48 * time.Hour)) {
			p.death = r.timeBetween(from, ReferenceDate.Add(-24*time.Hour))
			p.end = p.death
		}
	}
	p.home = pick(r, cities)
	p.org = r.IntN(len(pl.orgs))
	p.gp = r.IntN(practitionersPerOrg)
	if p.female {
		p.height = r.normal(162, 6.5, 145, 185)
	} else {
		p.height = r.normal(176, 7, 155, 200)
	}
	p.baseBMI = r.normal(25.5, 2.5, 19, 29.5)
	p.obeseBMI = r.normal(34, 3.5, 30.5, 48)
	return p
}

// ageAt returns the age in years at t.
func (p *person) ageAt(t time.Time) float64 { return yearsBetween(p.birth, t) }

// fullName returns "Given Family".
func (p *person) fullName() string { return p.given[0] + " " + p.family }

// maritalStatuses are HL7 v3 MaritalStatus codes
// (https://terminology.hl7.org/CodeSystem-v3-MaritalStatus.html).
var maritalStatuses = []struct {
	code, display string
}{
	{"M", "Married"}, {"S", "Never Married"}, {"D", "Divorced"}, {"W", "Widowed"},
}

// maritalWeights are the weights of maritalStatuses, in order.
var maritalWeights = []float64{50, 30, 12, 8}

// raceWeights are the weights of ombRaces, in order.
var raceWeights = []float64{60, 13, 6, 1, 0.5}

// ombRaces holds the OMB race and ethnicity categories of US Core (CDC Race &
// Ethnicity code set, urn:oid:2.16.840.1.113883.6.238).
var ombRaces = []struct {
	code, display string
}{
	{"2106-3", "White"}, {"2054-5", "Black or African American"}, {"2028-9", "Asian"},
	{"1002-5", "American Indian or Alaska Native"}, {"2076-8", "Native Hawaiian or Other Pacific Islander"},
}

// patientResource builds the Patient resource.
func (g *patientGen) patientResource() *patientResource {
	r, p := g.r, &g.p
	res := &patientResource{
		ResourceType: "Patient", ID: p.id, Gender: p.gender, BirthDate: fhirDate(p.birth),
		Identifier: []identifier{
			{Use: "usual", Type: ptr(concept(systemV20203, "MR", "Medical record number")), System: systemMRN, Value: "M" + pad(p.index+1, 8)},
			{Use: "official", Type: ptr(concept(systemV20203, "SS", "Social Security number")), System: systemSSN,
				Value: "999-" + pad(10+r.IntN(90), 2) + "-" + pad(r.IntN(10000), 4)},
		},
		Name:    []humanName{{Use: "official", Family: p.family, Given: p.given}},
		Telecom: []contactPoint{{System: "phone", Value: r.phone(p.home), Use: "home"}},
		Address: []address{r.address(p.home)},
		GeneralPractitioner: []reference{{Reference: "Practitioner/" + g.pool.staff[p.org][p.gp].ID,
			Display: displayName(&g.pool.staff[p.org][p.gp])}},
		ManagingOrganization: &reference{Reference: "Organization/" + g.pool.orgs[p.org].ID, Display: g.pool.orgs[p.org].Name},
	}
	if !p.death.IsZero() {
		res.DeceasedDateTime = fhirDateTime(p.death)
	}
	if r.chance(0.5) {
		res.Telecom = append(res.Telecom, contactPoint{System: "email",
			Value: strings.ToLower(p.given[0]+"."+p.family) + pad(r.IntN(100), 2) + "@example.com", Use: "home"})
	}
	ms := maritalStatuses[1]
	if p.ageAt(p.end) >= 18 {
		ms = maritalStatuses[r.weighted(maritalWeights)]
	}
	res.MaritalStatus = ptr(concept(systemMarital, ms.code, ms.display))
	if r.chance(0.9) {
		res.Extension = g.raceEthnicity()
	}
	return res
}

// raceEthnicity returns the US Core race and ethnicity extensions
// (https://hl7.org/fhir/us/core/StructureDefinition-us-core-race.html).
func (g *patientGen) raceEthnicity() []extension {
	race := ombRaces[g.r.weighted(raceWeights)]
	eth := coding{System: systemOMBRace, Code: "2186-5", Display: "Not Hispanic or Latino"}
	if g.r.chance(0.19) {
		eth = coding{System: systemOMBRace, Code: "2135-2", Display: "Hispanic or Latino"}
	}
	return []extension{
		{URL: extRace, Extension: []extension{
			{URL: "ombCategory", ValueCoding: &coding{System: systemOMBRace, Code: race.code, Display: race.display}},
			{URL: "text", ValueString: race.display},
		}},
		{URL: extEthnicity, Extension: []extension{
			{URL: "ombCategory", ValueCoding: &eth},
			{URL: "text", ValueString: eth.Display},
		}},
	}
}

func ptr[T any](v T) *T { return &v }
