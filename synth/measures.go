package synth

import (
	"math"
	"strconv"
	"time"
)

// measurements are the observations of one visit plus the values the
// clinical note quotes.
type measurements struct {
	obs               []*observationResource
	hr, sys, dia, rr  float64
	temp, weight, bmi float64
	hasBP             bool
	labs              []string // "HbA1c 7.4 %", in emission order
}

// measure records the vital signs and the labs of visit v.
func (g *patientGen) measure(v *visit) measurements {
	var m measurements
	g.vitalSigns(v, &m)
	g.labs(v, &m)
	return m
}

// observation builds one final Observation taken during v at t.
func (g *patientGen) observation(v *visit, key string, t time.Time, issuedAfter time.Duration) *observationResource {
	d := observations[key]
	cat := categoryVitalSigns
	if d.lab {
		cat = categoryLaboratory
	}
	return &observationResource{
		ResourceType: "Observation", ID: g.r.uuid(), Status: "final",
		Category:          []codeableConcept{cat},
		Code:              d.code(),
		Subject:           g.subject(),
		Encounter:         ptr(g.ref("Encounter", v.id)),
		EffectiveDateTime: fhirDateTime(t),
		Issued:            fhirDateTime(t.Add(issuedAfter)),
	}
}

// quantityObs builds an Observation with a valueQuantity and returns the
// rounded value.
func (g *patientGen) quantityObs(m *measurements, v *visit, key string, t time.Time, issuedAfter time.Duration, value float64) float64 {
	o := g.observation(v, key, t, issuedAfter)
	o.ValueQuantity = observations[key].quantity(value)
	m.obs = append(m.obs, o)
	return o.ValueQuantity.Value
}

// growthFraction is the share of adult height reached at an age (rounded
// from the CDC growth charts' medians).
var growthFraction = []struct{ age, frac float64 }{
	{0, .29}, {1, .43}, {2, .50}, {5, .63}, {10, .80}, {13, .90}, {16, .98}, {18, 1},
}

// heightAt returns the patient's height in cm at an age.
func (g *patientGen) heightAt(age float64) float64 {
	for i := 1; i < len(growthFraction); i++ {
		a, b := growthFraction[i-1], growthFraction[i]
		if age < b.age {
			return g.p.height * (a.frac + (b.frac-a.frac)*(age-a.age)/(b.age-a.age))
		}
	}
	return g.p.height
}

// bmiAt returns the patient's body-mass index at t: children follow a
// gentle rise, adults keep their baseline, and obese adults stay >= 30.
func (g *patientGen) bmiAt(t time.Time, age float64) float64 {
	r := g.r
	switch {
	case age < 2:
		return r.normal(16.5, 0.8, 14, 19)
	case age < 18:
		return r.normal(15.5+(age-2)*0.3, 1.2, 13.5, 27)
	case g.hasAt(condObesity, t) != nil:
		return r.normal(g.p.obeseBMI, 0.4, 30.3, 50)
	case g.has(condObesity):
		return min(g.p.obeseBMI-3, r.normal(28, 1, 25, 29.6))
	default:
		return r.normal(g.p.baseBMI, 0.4, 17, 29.6)
	}
}

// vitalSigns records heart rate, blood pressure, respiratory rate,
// temperature, height, weight and BMI, consistent with age and conditions.
func (g *patientGen) vitalSigns(v *visit, m *measurements) {
	r := g.r
	t := v.start.Add(5 * time.Minute)
	age := g.p.ageAt(t)
	hr, rr := r.normal(72, 9, 55, 100), r.normal(15, 2, 12, 20)
	switch {
	case age < 1:
		hr, rr = r.normal(130, 12, 100, 160), r.normal(36, 5, 28, 50)
	case age < 5:
		hr, rr = r.normal(108, 10, 85, 135), r.normal(26, 3, 20, 32)
	case age < 12:
		hr, rr = r.normal(88, 9, 70, 110), r.normal(20, 2, 16, 25)
	}
	if g.hasAt(condAF, t) != nil {
		hr = r.normal(92, 14, 60, 140)
	}
	if g.hasAt(condCOPD, t) != nil {
		rr = r.normal(19, 2, 14, 26)
	}
	temp := r.normal(36.8, 0.25, 36.1, 37.3)
	if v.kind == visitSick {
		temp = r.normal(37.9, 0.4, 37.3, 39.5)
	}
	m.hr = g.quantityObs(m, v, obsHeartRate, t, 0, hr)
	if age >= 3 {
		g.bloodPressure(v, m, t, age)
	}
	m.rr = g.quantityObs(m, v, obsRespRate, t, 0, rr)
	m.temp = g.quantityObs(m, v, obsTemperature, t, 0, temp)
	h := g.quantityObs(m, v, obsHeight, t, 0, g.heightAt(age)) / 100
	m.weight = g.quantityObs(m, v, obsWeight, t, 0, g.bmiAt(t, age)*h*h)
	m.bmi = g.quantityObs(m, v, obsBMI, t, 0, m.weight/(h*h))
}

// bloodPressure records the blood pressure panel with its systolic and
// diastolic components; hypertensive patients read high.
func (g *patientGen) bloodPressure(v *visit, m *measurements, t time.Time, age float64) {
	r := g.r
	sys, dia := r.normal(117, 7, 95, 129), r.normal(75, 5, 60, 84)
	switch {
	case age < 13:
		sys, dia = r.normal(102, 7, 85, 118), r.normal(62, 5, 50, 75)
	case g.hasAt(condHypertension, t) != nil:
		sys, dia = r.normal(142, 10, 130, 185), r.normal(88, 7, 78, 112)
	}
	o := g.observation(v, obsBPPanel, t, 0)
	sd, dd := observations[obsSystolic], observations[obsDiastolic]
	o.Component = []observationComponent{
		{Code: sd.code(), ValueQuantity: sd.quantity(sys)},
		{Code: dd.code(), ValueQuantity: dd.quantity(dia)},
	}
	m.obs = append(m.obs, o)
	m.sys, m.dia, m.hasBP = o.Component[0].ValueQuantity.Value, o.Component[1].ValueQuantity.Value, true
}

// labPanels selects the lab groups drawn at a visit.
type labPanels struct{ a1c, glucose, lipid, renal bool }

func (g *patientGen) panels(v *visit, adult bool) labPanels {
	var p labPanels
	switch v.kind {
	case visitWellness:
		if adult {
			p.lipid = g.r.chance(0.4) || g.hasAt(condHyperlipidemia, v.start) != nil
			p.renal = g.r.chance(0.5)
			p.glucose = p.renal
			p.a1c = g.hasAt(condDiabetes, v.start) != nil || g.r.chance(0.1)
		}
	case visitDiagnosis, visitFollowUp:
		for _, c := range v.reasons {
			switch c.def.key {
			case condDiabetes:
				p.a1c, p.glucose = true, true
			case condCKD:
				p.renal = true
			case condHyperlipidemia:
				p.lipid = true
			case condHypertension:
				p.renal = p.renal || g.r.chance(0.5)
			}
		}
	case visitEmergency, visitInpatient:
		p.glucose = true
		p.renal = adult
	}
	p.renal = p.renal && adult
	p.lipid = p.lipid && adult
	return p
}

// labs records laboratory results correlated with the patient's
// conditions: diabetics have high HbA1c and glucose, CKD a low eGFR,
// hyperlipidemia high LDL and triglycerides.
func (g *patientGen) labs(v *visit, m *measurements) {
	age := g.p.ageAt(v.start)
	p := g.panels(v, age >= 18)
	t := v.start.Add(10 * time.Minute)
	const issued = 2 * time.Hour
	r := g.r
	diabetic := g.hasAt(condDiabetes, t) != nil
	if p.a1c {
		a1c := r.normal(5.3, 0.25, 4.6, 5.6)
		switch {
		case diabetic:
			a1c = r.normal(7.4, 1.0, 6.5, 11)
		case g.has(condDiabetes):
			a1c = r.normal(6.0, 0.2, 5.7, 6.4) // prediabetes before diagnosis
		}
		g.lab(m, v, obsHbA1c, t, issued, "HbA1c", a1c)
	}
	if p.glucose {
		glu := r.normal(90, 8, 70, 110)
		if diabetic {
			glu = r.normal(165, 30, 130, 300)
		}
		g.lab(m, v, obsGlucose, t, issued, "glucose", glu)
	}
	if p.lipid {
		g.lipidPanel(v, m, t, issued)
	}
	if p.renal {
		g.renalPanel(v, m, t, issued, age)
	}
}

// lab records one lab result and its text for the note.
func (g *patientGen) lab(m *measurements, v *visit, key string, t time.Time, issued time.Duration, label string, value float64) float64 {
	val := g.quantityObs(m, v, key, t, issued, value)
	d := observations[key]
	m.labs = append(m.labs, label+" "+strconv.FormatFloat(val, 'f', d.decimals, 64)+" "+d.unit)
	return val
}

// lipidPanel records LDL, HDL, triglycerides and total cholesterol, with
// the total consistent with the Friedewald relation (LDL + HDL + TG/5).
func (g *patientGen) lipidPanel(v *visit, m *measurements, t time.Time, issued time.Duration) {
	r := g.r
	ldl, hdl, tg := r.normal(100, 18, 60, 129), r.normal(55, 12, 35, 90), r.normal(110, 30, 50, 149)
	if g.hasAt(condHyperlipidemia, t) != nil {
		ldl, hdl, tg = r.normal(165, 20, 130, 230), r.normal(44, 8, 30, 70), r.normal(190, 50, 150, 400)
	}
	ldl, hdl, tg = math.Round(ldl), math.Round(hdl), math.Round(tg)
	g.lab(m, v, obsCholesterol, t, issued, "total cholesterol", ldl+hdl+tg/5)
	g.lab(m, v, obsLDL, t, issued, "LDL", ldl)
	g.lab(m, v, obsHDL, t, issued, "HDL", hdl)
	g.lab(m, v, obsTriglycer, t, issued, "triglycerides", tg)
}

// renalPanel records serum creatinine and the eGFR computed from it with
// the MDRD study equation that LOINC 33914-3 names:
// eGFR = 175 × Scr^-1.154 × age^-0.203 × 0.742 (if female).
// CKD patients get an eGFR below 60.
func (g *patientGen) renalPanel(v *visit, m *measurements, t time.Time, issued time.Duration, age float64) {
	target := g.r.normal(108-0.5*age, 12, 65, 130)
	if g.hasAt(condCKD, t) != nil {
		target = g.r.normal(42, 10, 15, 55)
	}
	f := math.Pow(age, -0.203) * 175
	if g.p.female {
		f *= 0.742
	}
	scr := round(math.Pow(target/f, -1/1.154), 2)
	g.lab(m, v, obsCreatinine, t, issued, "creatinine", scr)
	g.lab(m, v, obsEGFR, t, issued, "eGFR", f*math.Pow(scr, -1.154))
}
