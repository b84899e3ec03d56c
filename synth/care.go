package synth

import "time"

// plannedProcedure is a procedure done during a visit, for a reason.
type plannedProcedure struct {
	code   snomedConcept
	reason *condRecord
}

// procedures selects the procedures of visit v: screening at check-ups,
// spirometry for lung disease, ECGs for heart disease, and inpatient
// medication reconciliation and dialysis.
func (g *patientGen) procedures(v *visit) []plannedProcedure {
	r, t := g.r, v.start
	age := g.p.ageAt(t)
	var out []plannedProcedure
	add := func(p bool, code snomedConcept, reason *condRecord) {
		if p {
			out = append(out, plannedProcedure{code, reason})
		}
	}
	switch v.kind {
	case visitWellness:
		add(age >= 50 && r.chance(0.15), procECG, nil)
		add(g.p.female && age >= 50 && age < 75 && r.chance(0.4), procMammography, nil)
		add(age >= 45 && age < 76 && r.chance(0.08), procColonoscopy, nil)
		add(age >= 12 && r.chance(0.4), procDepressionSc, nil)
	case visitFollowUp, visitDiagnosis:
		for _, c := range v.reasons {
			add((c.def.key == condAsthma || c.def.key == condCOPD) && r.chance(0.3), procSpirometry, c)
		}
	case visitEmergency, visitInpatient:
		heart := g.hasAt(condCAD, t)
		if heart == nil {
			heart = g.hasAt(condAF, t)
		}
		add(heart != nil, procECG, heart)
		if v.kind == visitInpatient {
			add(true, procMedRecon, nil)
			ckd := g.hasAt(condCKD, t)
			add(ckd != nil && r.chance(0.2), procHemodialysis, ckd)
		}
	}
	return out
}

func (g *patientGen) emitProcedures(v *visit) error {
	for _, p := range g.procedures(v) {
		id := g.r.uuid()
		dur := v.end.Sub(v.start)
		start := v.start.Add(time.Duration(g.r.between(0.2, 0.5) * float64(dur))).Truncate(time.Minute)
		end := start.Add(time.Duration(g.r.between(0.2, 0.5) * float64(dur))).Truncate(time.Minute)
		res := &procedureResource{
			ResourceType: "Procedure", ID: id, Status: "completed",
			Code:            p.code.concept(),
			Subject:         g.subject(),
			Encounter:       ptr(g.ref("Encounter", v.id)),
			PerformedPeriod: period{Start: fhirDateTime(start), End: fhirDateTime(end)},
		}
		if p.reason != nil {
			res.ReasonReference = []reference{g.ref("Condition", p.reason.id)}
		}
		if err := g.out.put("Procedure", id, res); err != nil {
			return err
		}
	}
	return nil
}

// vaccines selects the immunizations given at a check-up, following the
// shape of the CDC schedules: childhood series, Tdap at 11–12, yearly
// influenza, COVID-19 from 2021, Td boosters and pneumococcal at 65+.
func (g *patientGen) vaccines(v *visit) []vaccineDef {
	if v.kind != visitWellness {
		return nil
	}
	r, age := g.r, g.p.ageAt(v.start)
	var out []vaccineDef
	add := func(p bool, vax vaccineDef) {
		if p {
			out = append(out, vax)
		}
	}
	once := func(p bool, vax vaccineDef) {
		if p && !g.given[vax.cvx] {
			g.given[vax.cvx] = true
			out = append(out, vax)
		}
	}
	add(age < 1.5, vaxHepB)
	add(age < 7 && r.chance(0.9), vaxDTaP)
	add(((age >= 1 && age < 2) || (age >= 4 && age < 7)) && r.chance(0.9), vaxMMR)
	once(age >= 11 && age < 13, vaxTdap)
	add(age >= 19 && r.chance(0.08), vaxTd)
	once(age >= 65 && r.chance(0.5), vaxPPSV23)
	fluP := 0.5
	if age >= 65 {
		fluP = 0.7
	}
	add(age >= 0.5 && r.chance(fluP), vaxInfluenza)
	add(v.start.Year() >= 2021 && age >= 5 && r.chance(0.35), vaxCOVID)
	return out
}

func (g *patientGen) emitImmunizations(v *visit) error {
	for _, vax := range g.vaccines(v) {
		id := g.r.uuid()
		res := &immunizationResource{
			ResourceType: "Immunization", ID: id, Status: "completed",
			VaccineCode:        vax.concept(),
			Patient:            g.subject(),
			Encounter:          ptr(g.ref("Encounter", v.id)),
			OccurrenceDateTime: fhirDateTime(v.start.Add(15 * time.Minute)),
			PrimarySource:      true,
		}
		if err := g.out.put("Immunization", id, res); err != nil {
			return err
		}
	}
	return nil
}
