package synth

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Negation templates for conditions the patient does not have. A later
// NLP stage is scored against the structured Conditions, so a condition
// is only ever negated for a patient who never has it.
var negationTemplates = []string{"No history of %s.", "Negative for %s.", "Denies history of %s."}

// presentingComplaints describe why a patient came in with an acute
// condition, by condition key.
var presentingComplaints = map[string]string{
	"bronchitis":  "productive cough for several days",
	"sinusitis":   "facial pressure and nasal congestion",
	"pharyngitis": "sore throat",
}

// emitNote writes a DocumentReference whose plain-text note summarises the
// visit: history (the conditions active at the visit), medications,
// allergies, pertinent negatives, vital signs, labs and assessment.
func (g *patientGen) emitNote(v *visit, m measurements) error {
	typ := noteProgress
	if v.kind == visitInpatient {
		typ = noteHAndP
	}
	text := g.noteText(v, m, typ.Text)
	id := g.r.uuid()
	res := &documentReferenceResource{
		ResourceType: "DocumentReference", ID: id, Status: "current",
		Type:     typ,
		Category: []codeableConcept{clinicalNoteCat},
		Subject:  g.subject(),
		Date:     fhirDateTime(v.end),
		Author:   []reference{{Reference: "Practitioner/" + v.practitioner.ID, Display: displayName(v.practitioner)}},
		Content: []documentContent{{Attachment: attachment{
			ContentType: "text/plain",
			Data:        base64.StdEncoding.EncodeToString([]byte(text)),
			Title:       typ.Text,
		}}},
		Context: documentContext{
			Encounter: []reference{g.ref("Encounter", v.id)},
			Period:    &period{Start: fhirDateTime(v.start), End: fhirDateTime(v.end)},
		},
	}
	return g.out.put("DocumentReference", id, res)
}

// noteText renders the note of visit v.
func (g *patientGen) noteText(v *visit, m measurements, title string) string {
	var b strings.Builder
	p := &g.p
	line := func(parts ...string) {
		for _, s := range parts {
			b.WriteString(s)
		}
		b.WriteByte('\n')
	}
	line(title)
	line("Date of service: ", fhirDate(v.start))
	line("Patient: ", p.fullName(), ", ", strconv.Itoa(int(p.ageAt(v.start))), "-year-old ", noun(p), ".")
	line("Clinician: ", displayName(v.practitioner))
	line("Reason for visit: ", g.reasonText(v))
	line("History: ", g.historyText(v))
	line("Current medications: ", g.medicationText(v.start))
	line("Allergies: ", g.allergyText())
	line("Review of systems: ", g.reviewOfSystems(v))
	if neg := g.negatives(); neg != "" {
		line("Pertinent negatives: ", neg)
	}
	line("Vital signs: ", vitalsText(m))
	if len(m.labs) > 0 {
		line("Labs: ", strings.Join(m.labs, ", "), ".")
	}
	line("Assessment: ", g.assessmentText(v))
	line("Plan: ", g.planText(v))
	return b.String()
}

// noun describes the patient's gender in a note.
func noun(p *person) string {
	switch p.gender {
	case "male":
		return "male"
	case "female":
		return "female"
	}
	return "patient"
}

func (g *patientGen) reasonText(v *visit) string {
	k := visitKinds[v.kind].label
	for _, c := range v.reasons {
		if c.acute {
			return k + " for " + presentingComplaints[c.def.key] + "."
		}
	}
	if len(v.reasons) > 0 && v.kind != visitDiagnosis {
		return k + " for " + v.reasons[0].def.name + "."
	}
	return k + "."
}

// prior returns the chronic conditions active at the visit that were
// diagnosed before it.
func (g *patientGen) prior(v *visit) []string {
	var names []string
	for _, c := range g.chronic {
		if c.visit != v && c.activeAt(v.start) {
			names = append(names, c.def.name)
		}
	}
	return names
}

func (g *patientGen) historyText(v *visit) string {
	names := g.prior(v)
	if len(names) == 0 {
		return "No significant past medical history."
	}
	return "The patient has a history of " + joinList(names) + "."
}

func (g *patientGen) medicationText(t time.Time) string {
	var names []string
	for _, m := range g.meds {
		if m.cond.visit.start.Before(t) {
			names = append(names, m.def.name+" "+m.def.dosage)
		}
	}
	if len(names) == 0 {
		return "None."
	}
	return strings.Join(names, "; ") + "."
}

func (g *patientGen) allergyText() string {
	if len(g.allergies) == 0 {
		return "No known allergies."
	}
	names := make([]string, len(g.allergies))
	for i, a := range g.allergies {
		names[i] = a.name
	}
	return joinList(names) + "."
}

// reviewOfSystems denies only symptoms the patient's record does not
// explain at this visit.
func (g *patientGen) reviewOfSystems(v *visit) string {
	t := v.start
	var out []string
	if g.hasAt(condCAD, t) == nil && g.hasAt(condAF, t) == nil {
		out = append(out, "Denies chest pain.")
	}
	lung := g.hasAt(condCOPD, t) != nil || g.hasAt(condAsthma, t) != nil
	if v.kind == visitSick {
		return strings.Join(append(out, "Reports "+presentingComplaints[v.reasons[0].def.key]+"."), " ")
	}
	if !lung {
		out = append(out, "Denies shortness of breath.")
	}
	out = append(out, "Denies fever.")
	return strings.Join(out, " ")
}

// negatives negates up to three chronic conditions the patient never has.
func (g *patientGen) negatives() string {
	var absent []*conditionDef
	for i := range chronicConditions {
		if !g.has(chronicConditions[i].key) {
			absent = append(absent, &chronicConditions[i])
		}
	}
	var out []string
	for n := min(len(absent), 1+g.r.IntN(3)); n > 0; n-- {
		i := g.r.IntN(len(absent))
		tmpl := pick(g.r, negationTemplates)
		out = append(out, strings.Replace(tmpl, "%s", absent[i].name, 1))
		absent = append(absent[:i], absent[i+1:]...)
	}
	return strings.Join(out, " ")
}

func vitalsText(m measurements) string {
	f := func(v float64, dec int) string { return strconv.FormatFloat(v, 'f', dec, 64) }
	var parts []string
	if m.hasBP {
		parts = append(parts, "BP "+f(m.sys, 0)+"/"+f(m.dia, 0)+" mmHg")
	}
	parts = append(parts, "HR "+f(m.hr, 0)+"/min", "RR "+f(m.rr, 0)+"/min", "Temp "+f(m.temp, 1)+" C",
		"Weight "+f(m.weight, 1)+" kg", "BMI "+f(m.bmi, 1)+" kg/m2")
	return strings.Join(parts, ", ") + "."
}

func (g *patientGen) assessmentText(v *visit) string {
	var out []string
	for _, c := range v.diagnoses {
		if c.acute {
			out = append(out, "Acute diagnosis: "+c.def.name+".")
		} else {
			out = append(out, "New diagnosis of "+c.def.name+".")
		}
	}
	if prior := g.prior(v); len(prior) > 0 {
		out = append(out, "Chronic conditions ("+joinList(prior)+") reviewed.")
	}
	if v.kind == visitWellness {
		out = append(out, "Routine health maintenance.")
	}
	if len(out) == 0 {
		return "No acute findings."
	}
	return strings.Join(out, " ")
}

func (g *patientGen) planText(v *visit) string {
	var out []string
	for _, m := range v.meds {
		out = append(out, "Start "+m.def.name+" "+m.def.dosage+".")
	}
	for _, c := range v.diagnoses {
		if c.acute {
			out = append(out, "Supportive care, fluids and rest; return if symptoms worsen.")
		}
	}
	if len(out) == 0 {
		out = append(out, "Continue current management.")
	}
	return strings.Join(out, " ")
}

// joinList joins names as "a, b and c".
func joinList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
