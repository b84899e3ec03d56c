package synth

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// systemMRNOther is the medical record number system of the second
// hospital that duplicate records come from.
const systemMRNOther = "http://fhirlake.example/hospital-b/mrn"

// DuplicatePair names a patient and the duplicate record of it that
// [Generate] wrote (see [Options.Duplicates]).
type DuplicatePair struct {
	Original, Duplicate string
}

// duplicateStream is the random stream of the duplicate decision and
// record of patient index: apart from the patient streams (index+1) and
// the pool (0), so turning duplicates on changes no patient.
func duplicateStream(index int) uint64 { return uint64(index) + 1 + 1<<62 }

// patientCapture is an emitter that remembers the last Patient written
// through it, from which a duplicate is derived.
type patientCapture struct {
	emitter
	last *patientResource
}

func (c *patientCapture) put(typ, id string, res any) error {
	if p, ok := res.(*patientResource); ok {
		c.last = p
	}
	return c.emitter.put(typ, id, res)
}

// duplicatePatient returns the record a second hospital might hold for
// the patient orig: a new id and medical record number, the SSN only
// half of the time, and realistic differences: typing errors and
// nicknames in names, another family name (5% of women), a dropped
// middle name, a birth date off by a day or
// with day and month swapped, a move or a missing address line, a new or
// missing phone number.
func duplicatePatient(r *rng, orig *patientResource) *patientResource {
	d := &patientResource{ResourceType: "Patient", ID: r.uuid(), Gender: orig.Gender,
		BirthDate: orig.BirthDate, DeceasedDateTime: orig.DeceasedDateTime}
	d.Identifier = []identifier{{Use: "usual", Type: ptr(concept(systemV20203, "MR", "Medical record number")),
		System: systemMRNOther, Value: "B" + pad(r.IntN(10_000_000), 7)}}
	if ssn := findIdentifier(orig.Identifier, systemSSN); ssn != nil && r.chance(0.5) {
		d.Identifier = append(d.Identifier, *ssn)
	}
	d.Name = []humanName{duplicateName(r, orig.Name[0])}
	if orig.Gender == "female" && r.chance(0.05) {
		d.Name[0].Family = pick(r, familyNames) // a married (or maiden) name
	}
	if r.chance(0.01) {
		d.Gender = "unknown"
	}
	d.BirthDate = duplicateBirthDate(r, orig.BirthDate)
	if len(orig.Address) > 0 && !r.chance(0.05) {
		d.Address = []address{duplicateAddress(r, orig.Address[0])}
	}
	d.Telecom = duplicatePhone(r, orig.Telecom, d.Address)
	return d
}

// findIdentifier returns the identifier of system, or nil.
func findIdentifier(ids []identifier, system string) *identifier {
	for i := range ids {
		if ids[i].System == system {
			return &ids[i]
		}
	}
	return nil
}

// duplicateName perturbs a name: a typing error in the family name (15%),
// a nickname (20%) or typing error (10%) in the first given name, and a
// dropped middle name (50%).
func duplicateName(r *rng, n humanName) humanName {
	out := humanName{Use: "official", Family: n.Family, Given: append([]string(nil), n.Given...)}
	if r.chance(0.15) {
		out.Family = typo(r, out.Family)
	}
	if nick := nicknames[out.Given[0]]; len(nick) > 0 && r.chance(0.2) {
		out.Given[0] = pick(r, nick)
	} else if r.chance(0.1) {
		out.Given[0] = typo(r, out.Given[0])
	}
	if len(out.Given) > 1 && r.chance(0.5) {
		out.Given = out.Given[:1]
	}
	return out
}

// typo returns s with one typing error after its first letter: a
// substituted, deleted, doubled or transposed letter.
func typo(r *rng, s string) string {
	b := []byte(s)
	if len(b) < 3 {
		return s
	}
	i := 1 + r.IntN(len(b)-2)
	switch r.IntN(4) {
	case 0:
		b[i] = byte('a' + r.IntN(26))
	case 1:
		b = append(b[:i], b[i+1:]...)
	case 2:
		b = append(b[:i+1], b[i:]...)
	default:
		b[i], b[i+1] = b[i+1], b[i]
	}
	return string(b)
}

// duplicateBirthDate returns the birth date, one day off (4%) or with
// day and month swapped where that is another valid date (3%).
func duplicateBirthDate(r *rng, date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	switch x := r.Float64(); {
	case x < 0.04:
		if r.chance(0.5) {
			return fhirDate(t.AddDate(0, 0, 1))
		}
		return fhirDate(t.AddDate(0, 0, -1))
	case x < 0.07 && t.Day() <= 12 && t.Day() != int(t.Month()):
		return fhirDate(time.Date(t.Year(), time.Month(t.Day()), int(t.Month()), 0, 0, 0, 0, time.UTC))
	}
	return date
}

// duplicateAddress returns the address, the patient having moved within
// the city (25%), without its street line (10%), or with the street
// suffix written out (10%).
func duplicateAddress(r *rng, a address) address {
	out := a
	out.Line = append([]string(nil), a.Line...)
	switch x := r.Float64(); {
	case x < 0.25:
		if c, ok := cityNamed(a.City); ok {
			out.Line = r.address(c).Line
		}
	case x < 0.35:
		out.Line = nil
	case x < 0.45 && len(out.Line) > 0:
		out.Line[0] = spellSuffix(out.Line[0])
	}
	return out
}

// cityNamed returns the city of the given name.
func cityNamed(name string) (city, bool) {
	for _, c := range cities {
		if c.name == name {
			return c, true
		}
	}
	return city{}, false
}

// suffixWords spells out the street suffixes of streetSuffixes.
var suffixWords = map[string]string{
	"St": "Street", "Ave": "Avenue", "Rd": "Road", "Ln": "Lane", "Dr": "Drive", "Ct": "Court", "Blvd": "Boulevard",
}

// spellSuffix writes the last word of a street line out in full.
func spellSuffix(line string) string {
	i := strings.LastIndexByte(line, ' ')
	if w, ok := suffixWords[line[i+1:]]; ok {
		return line[:i+1] + w
	}
	return line
}

// duplicatePhone returns the home phone, changed (35%) or missing (15%).
func duplicatePhone(r *rng, telecom []contactPoint, addr []address) []contactPoint {
	var phone string
	for _, t := range telecom {
		if t.System == "phone" {
			phone = t.Value
		}
	}
	switch x := r.Float64(); {
	case phone == "" || x < 0.15:
		return nil
	case x < 0.5 && len(addr) > 0:
		if c, ok := cityNamed(addr[0].City); ok {
			phone = r.phone(c)
		}
	}
	return []contactPoint{{System: "phone", Value: phone, Use: "home"}}
}

// nicknames are usual diminutives of given names of the name lists.
var nicknames = map[string][]string{
	"William": {"Bill", "Will", "Billy"}, "Robert": {"Bob", "Rob", "Bobby"}, "Richard": {"Rick", "Dick"},
	"James": {"Jim", "Jimmy"}, "John": {"Jack", "Johnny"}, "Joseph": {"Joe"}, "Michael": {"Mike"},
	"Thomas": {"Tom", "Tommy"}, "Charles": {"Charlie", "Chuck"}, "Christopher": {"Chris"},
	"Daniel": {"Dan", "Danny"}, "David": {"Dave"}, "Matthew": {"Matt"}, "Anthony": {"Tony"},
	"Steven": {"Steve"}, "Andrew": {"Andy", "Drew"}, "Joshua": {"Josh"}, "Edward": {"Ed", "Eddie", "Ted"},
	"Ronald": {"Ron"}, "Mary": {"Molly"}, "Patricia": {"Pat", "Patty", "Trish"}, "Jennifer": {"Jen", "Jenny"},
	"Elizabeth": {"Liz", "Beth", "Betty"}, "Barbara": {"Barb"}, "Susan": {"Sue", "Susie"},
	"Jessica": {"Jess"}, "Sarah": {"Sally"}, "Margaret": {"Maggie", "Peggy"}, "Sandra": {"Sandy"},
	"Amanda": {"Mandy"}, "Olivia": {"Liv"}, "Sophia": {"Sophie"},
}

// writeDuplicate writes, with probability opts.Duplicates, a duplicate of
// patient index (orig) as its own unit, and records the pair in st.
func writeDuplicate(sk sink, opts Options, index int, orig *patientResource, st *Stats) error {
	if opts.Duplicates <= 0 || orig == nil {
		return nil
	}
	r := newRNG(opts.Seed, duplicateStream(index))
	if !r.chance(opts.Duplicates) {
		return nil
	}
	d := duplicatePatient(r, orig)
	bundleID := r.uuid()
	err := writeUnit(sk, d.ID, bundleID, func(e emitter) error { return e.put("Patient", d.ID, d) })
	if err != nil {
		return err
	}
	st.Duplicates = append(st.Duplicates, DuplicatePair{Original: orig.ID, Duplicate: d.ID})
	return nil
}

// writeDuplicates writes DuplicatesFile, the list of st.Duplicates, when
// duplicates were asked for.
func writeDuplicates(opts Options, st *Stats) error {
	if opts.Duplicates <= 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("original_id\tduplicate_id\n")
	for _, p := range st.Duplicates {
		b.WriteString(p.Original + "\t" + p.Duplicate + "\n")
	}
	name := filepath.Join(opts.Out, DuplicatesFile)
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("synth: write %s: %w", name, err)
	}
	st.Files++
	st.Bytes += int64(b.Len())
	return nil
}
