package synth

import (
	"slices"
	"time"
)

// historyYears is how far back before death or the reference date routine
// care (check-ups, follow-ups, sick visits) is generated. Each chronic
// condition also gets its diagnosis visit, however long ago.
const historyYears = 5

// condRecord is one Condition of the patient.
type condRecord struct {
	def       *conditionDef
	id        string
	onset     time.Time
	abatement time.Time // zero while active
	visit     *visit    // where it was diagnosed
	acute     bool
}

// activeAt reports whether the condition is present at t.
func (c *condRecord) activeAt(t time.Time) bool {
	return !c.onset.After(t) && (c.abatement.IsZero() || c.abatement.After(t))
}

// medRecord is one MedicationRequest.
type medRecord struct {
	def  medicationDef
	id   string
	cond *condRecord
}

// visit is one Encounter and what happens during it.
type visit struct {
	kind         visitKind
	id           string
	start, end   time.Time
	practitioner *practitionerResource
	reasons      []*condRecord
	diagnoses    []*condRecord // conditions first recorded at this visit
	meds         []*medRecord  // prescriptions written at this visit
}

// planConditions draws the patient's chronic conditions and their
// diagnosis visits.
func (g *patientGen) planConditions() {
	r, p := g.r, &g.p
	ageEnd := p.ageAt(p.end)
	for i := range chronicConditions {
		def := &chronicConditions[i]
		if ageEnd < def.minAge || !r.chance(def.probability(ageEnd, g.has)) {
			continue
		}
		onsetAge := r.between(max(def.minAge, ageEnd-25), ageEnd)
		onset := addYears(p.birth, onsetAge)
		if !onset.Before(g.last) {
			continue
		}
		v := g.newVisit(visitDiagnosis, onset)
		c := &condRecord{def: def, id: r.uuid(), onset: v.start, visit: v}
		v.reasons = append(v.reasons, c)
		v.diagnoses = append(v.diagnoses, c)
		g.chronic = append(g.chronic, c)
		g.prescribe(v, c)
	}
}

// has reports whether the patient has chronic condition key (at any time).
func (g *patientGen) has(key string) bool {
	for _, c := range g.chronic {
		if c.def.key == key {
			return true
		}
	}
	return false
}

// hasAt returns the patient's chronic condition key if active at t.
func (g *patientGen) hasAt(key string, t time.Time) *condRecord {
	for _, c := range g.chronic {
		if c.def.key == key && c.activeAt(t) {
			return c
		}
	}
	return nil
}

// prescribe adds the condition's usual medications to the diagnosis visit,
// skipping drugs the patient already takes.
func (g *patientGen) prescribe(v *visit, c *condRecord) {
	for i, key := range c.def.meds {
		p := 0.85
		if i > 0 {
			p = 0.35
		}
		if !g.r.chance(p) || g.takes(key) {
			continue
		}
		m := &medRecord{def: medications[key], id: g.r.uuid(), cond: c}
		v.meds = append(v.meds, m)
		g.meds = append(g.meds, m)
	}
}

// takes reports whether a medication has been prescribed already.
func (g *patientGen) takes(key string) bool {
	for _, m := range g.meds {
		if m.def.name == medications[key].name {
			return true
		}
	}
	return false
}

// planVisits schedules routine care in the history window.
func (g *patientGen) planVisits() {
	r, p := g.r, &g.p
	from := latest(p.birth, addYears(p.end, -historyYears))
	if !from.Before(g.last) {
		return
	}
	for y := from.Year(); y <= g.last.Year(); y++ {
		lo := latest(from, time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
		hi := earliest(g.last, time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC))
		if hi.Sub(lo) > 24*time.Hour {
			g.newVisit(visitWellness, r.timeBetween(lo, hi))
		}
	}
	for _, c := range g.chronic {
		start := latest(from, c.onset.Add(24*time.Hour))
		g.repeat(visitFollowUp, start, c.def.followUpsPerYear, c)
	}
	sick := 0.4
	if p.ageAt(p.end) < 12 {
		sick = 0.8
	}
	for range g.repeatCount(from, sick) {
		g.sickVisit(r.timeBetween(from, g.last))
	}
	erRate, ipRate := 0.06, 0.01
	for _, c := range g.chronic {
		switch c.def.key {
		case condCOPD, condAsthma, condAF, condCAD:
			erRate += 0.12
		}
		ipRate += 0.03
	}
	g.repeat(visitEmergency, from, erRate, nil)
	g.repeat(visitInpatient, from, ipRate, nil)
}

// repeatCount returns how many visits at rate per year fall in [from, last).
func (g *patientGen) repeatCount(from time.Time, rate float64) int {
	return g.r.count(rate * yearsBetween(from, g.last))
}

// repeat schedules visits of kind at rate per year in [from, last), for
// condition c, or for a random active chronic condition when c is nil.
func (g *patientGen) repeat(kind visitKind, from time.Time, rate float64, c *condRecord) {
	if !from.Before(g.last) {
		return
	}
	for range g.repeatCount(from, rate) {
		v := g.newVisit(kind, g.r.timeBetween(from, g.last))
		reason := c
		if reason == nil {
			reason = g.randomActive(v.start)
		}
		if reason != nil {
			v.reasons = append(v.reasons, reason)
		}
	}
}

// randomActive returns a random chronic condition active at t, or nil.
func (g *patientGen) randomActive(t time.Time) *condRecord {
	var active []*condRecord
	for _, c := range g.chronic {
		if c.activeAt(t) && c.def.key != condObesity {
			active = append(active, c)
		}
	}
	if len(active) == 0 {
		return nil
	}
	return pick(g.r, active)
}

// sickVisit schedules a visit for a new acute condition at t.
func (g *patientGen) sickVisit(t time.Time) {
	v := g.newVisit(visitSick, t)
	def := &acuteConditions[g.r.weighted(acuteWeights)]
	c := &condRecord{def: def, id: g.r.uuid(), onset: v.start, visit: v, acute: true,
		abatement: v.start.Add(time.Duration(7+g.r.IntN(14)) * 24 * time.Hour)}
	if c.abatement.After(g.p.end) {
		c.abatement = time.Time{} // still active at death or at the reference date
	}
	v.reasons = append(v.reasons, c)
	v.diagnoses = append(v.diagnoses, c)
	g.acute = append(g.acute, c)
}

// newVisit adds a visit of kind around t: ambulatory visits start in
// office hours on t's day; all visits end before the patient's end.
func (g *patientGen) newVisit(kind visitKind, t time.Time) *visit {
	r := g.r
	start := t
	if visitKinds[kind].class == ambulatory {
		day := t.Truncate(24 * time.Hour)
		start = day.Add(time.Duration(8*60+5*r.IntN(9*12)) * time.Minute)
	}
	start = earliest(latest(start, g.p.birth.Add(time.Hour)), g.last)
	k := visitKinds[kind]
	end := start.Add(time.Duration(k.minMins+r.IntN(k.maxMins-k.minMins+1)) * time.Minute)
	end = earliest(end, g.p.end.Add(-time.Minute))
	staff := g.pool.staff[g.p.org]
	pr := &staff[g.p.gp]
	if kind == visitEmergency || kind == visitInpatient {
		pr = &staff[r.IntN(len(staff))]
	}
	v := &visit{kind: kind, start: start, end: end, practitioner: pr}
	g.visits = append(g.visits, v)
	return v
}

// orderVisits sorts the visits chronologically and gives them ids.
func (g *patientGen) orderVisits() {
	slices.SortStableFunc(g.visits, func(a, b *visit) int { return a.start.Compare(b.start) })
	for _, v := range g.visits {
		v.id = g.r.uuid()
	}
}
