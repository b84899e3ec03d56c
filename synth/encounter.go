package synth

import "time"

// emitVisit writes a visit's Encounter and everything recorded during it,
// in a fixed order: encounter, allergies (first visit), conditions,
// prescriptions, vital signs, labs, procedures, immunizations, note.
func (g *patientGen) emitVisit(v *visit, first bool) error {
	if err := g.out.put("Encounter", v.id, g.encounterResource(v)); err != nil {
		return err
	}
	if first {
		for _, a := range g.allergies {
			if err := g.emitAllergy(v, a); err != nil {
				return err
			}
		}
	}
	for _, c := range v.diagnoses {
		if err := g.out.put("Condition", c.id, g.conditionResource(c)); err != nil {
			return err
		}
	}
	for _, m := range v.meds {
		if err := g.out.put("MedicationRequest", m.id, g.medicationResource(v, m)); err != nil {
			return err
		}
	}
	rec := g.measure(v)
	for _, o := range rec.obs {
		if err := g.out.put("Observation", o.ID, o); err != nil {
			return err
		}
	}
	if err := g.emitProcedures(v); err != nil {
		return err
	}
	if err := g.emitImmunizations(v); err != nil {
		return err
	}
	if v.kind == visitEmergency || v.kind == visitInpatient || g.r.chance(0.35) {
		return g.emitNote(v, rec)
	}
	return nil
}

func (g *patientGen) encounterResource(v *visit) *encounterResource {
	k := visitKinds[v.kind]
	org := &g.pool.orgs[g.p.org]
	e := &encounterResource{
		ResourceType: "Encounter", ID: v.id, Status: "finished", Class: k.class,
		Type:    []codeableConcept{k.snomed.concept()},
		Subject: g.subject(),
		Participant: []encounterParticipant{{
			Type:       []codeableConcept{participantPrimary},
			Individual: reference{Reference: "Practitioner/" + v.practitioner.ID, Display: displayName(v.practitioner)},
		}},
		Period:          period{Start: fhirDateTime(v.start), End: fhirDateTime(v.end)},
		ServiceProvider: &reference{Reference: "Organization/" + org.ID, Display: org.Name},
	}
	for _, c := range v.reasons {
		e.ReasonReference = append(e.ReasonReference, g.ref("Condition", c.id))
	}
	return e
}

func (g *patientGen) conditionResource(c *condRecord) *conditionResource {
	res := &conditionResource{
		ResourceType: "Condition", ID: c.id,
		ClinicalStatus: conditionActive, VerificationStatus: conditionConfirmed,
		Category:      []codeableConcept{categoryProblemList},
		Code:          c.def.code(),
		Subject:       g.subject(),
		Encounter:     ptr(g.ref("Encounter", c.visit.id)),
		OnsetDateTime: fhirDateTime(c.onset),
		RecordedDate:  fhirDateTime(c.visit.end),
	}
	if c.acute {
		res.Category = []codeableConcept{categoryEncounterDx}
		if !c.abatement.IsZero() {
			res.ClinicalStatus = conditionResolved
			res.AbatementDateTime = fhirDateTime(c.abatement)
		}
	}
	return res
}

func (g *patientGen) medicationResource(v *visit, m *medRecord) *medicationRequestResource {
	status := "active"
	if !g.p.death.IsZero() {
		status = "stopped"
	}
	return &medicationRequestResource{
		ResourceType: "MedicationRequest", ID: m.id, Status: status, Intent: "order",
		MedicationCodeableConcept: m.def.concept(),
		Subject:                   g.subject(),
		Encounter:                 ptr(g.ref("Encounter", v.id)),
		AuthoredOn:                fhirDateTime(v.start.Add(10 * time.Minute)),
		Requester:                 &reference{Reference: "Practitioner/" + v.practitioner.ID, Display: displayName(v.practitioner)},
		ReasonReference:           []reference{g.ref("Condition", m.cond.id)},
		DosageInstruction:         []dosage{{Text: m.def.dosage}},
	}
}

func (g *patientGen) emitAllergy(v *visit, a allergyDef) error {
	id := g.r.uuid()
	crit := "low"
	reaction := allergyReactions[g.r.IntN(2)]
	if g.r.chance(0.15) {
		crit, reaction = "high", allergyReactions[2]
	}
	severity := map[string]string{"low": "mild", "high": "severe"}[crit]
	res := &allergyResource{
		ResourceType: "AllergyIntolerance", ID: id,
		ClinicalStatus: allergyActive, VerificationStatus: allergyConfirmed,
		Type: "allergy", Category: []string{a.category}, Criticality: crit,
		Code:         a.snomed.concept(),
		Patient:      g.subject(),
		Encounter:    ptr(g.ref("Encounter", v.id)),
		RecordedDate: fhirDateTime(v.start.Add(5 * time.Minute)),
		Reaction:     []allergyReaction{{Manifestation: []codeableConcept{reaction.concept()}, Severity: severity}},
	}
	return g.out.put("AllergyIntolerance", id, res)
}
