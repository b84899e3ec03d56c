package synth

// conditionDef describes one condition the generator can give a patient.
//
// Sources: SNOMED CT concept ids and descriptions from the SNOMED CT
// International browser (https://browser.ihtsdotools.org/); ICD-10-CM codes
// from the CDC/CMS ICD-10-CM tabular list (https://www.cdc.gov/nchs/icd/icd-10-cm/).
type conditionDef struct {
	key                string
	snomed, snomedName string
	icd, icdName       string
	name               string  // how a clinician writes it in a note
	minAge             float64 // youngest onset age in years
	prevalence         []agePrevalence
	followUpsPerYear   float64  // chronic follow-up visits a year
	meds               []string // medication keys (see medications.go), first-line first
}

// agePrevalence gives the share of patients younger than maxAge (and older
// than the previous row) who have the condition. Figures are rounded US
// adult/child prevalence orders of magnitude (CDC NCHS data briefs).
type agePrevalence struct {
	maxAge float64
	p      float64
}

// Chronic condition keys, used to correlate conditions, labs and notes.
const (
	condObesity        = "obesity"
	condHypertension   = "hypertension"
	condHyperlipidemia = "hyperlipidemia"
	condDiabetes       = "diabetes"
	condCKD            = "ckd"
	condCAD            = "cad"
	condAF             = "afib"
	condCOPD           = "copd"
	condAsthma         = "asthma"
	condDepression     = "depression"
)

// chronicConditions is evaluated in this order, so that conditions that
// raise the risk of later ones (obesity → diabetes → CKD) come first.
var chronicConditions = []conditionDef{
	{key: condObesity, snomed: "414916001", snomedName: "Obesity (disorder)", icd: "E66.9", icdName: "Obesity, unspecified",
		name: "obesity", minAge: 18, prevalence: []agePrevalence{{18, 0}, {40, .33}, {60, .38}, {200, .30}},
		followUpsPerYear: 0.2},
	{key: condHypertension, snomed: "38341003", snomedName: "Hypertensive disorder, systemic arterial (disorder)", icd: "I10", icdName: "Essential (primary) hypertension",
		name: "hypertension", minAge: 12, prevalence: []agePrevalence{{18, .01}, {40, .08}, {60, .33}, {75, .60}, {200, .70}},
		followUpsPerYear: 1, meds: []string{"lisinopril", "amlodipine"}},
	{key: condHyperlipidemia, snomed: "55822004", snomedName: "Hyperlipidemia (disorder)", icd: "E78.5", icdName: "Hyperlipidemia, unspecified",
		name: "hyperlipidemia", minAge: 18, prevalence: []agePrevalence{{18, 0}, {40, .10}, {60, .28}, {200, .42}},
		followUpsPerYear: 0.5, meds: []string{"atorvastatin"}},
	{key: condDiabetes, snomed: "44054006", snomedName: "Diabetes mellitus type 2 (disorder)", icd: "E11.9", icdName: "Type 2 diabetes mellitus without complications",
		name: "type 2 diabetes", minAge: 15, prevalence: []agePrevalence{{18, .002}, {40, .04}, {60, .13}, {200, .22}},
		followUpsPerYear: 2, meds: []string{"metformin", "insulin-glargine"}},
	{key: condCKD, snomed: "709044004", snomedName: "Chronic kidney disease (disorder)", icd: "N18.9", icdName: "Chronic kidney disease, unspecified",
		name: "chronic kidney disease", minAge: 30, prevalence: []agePrevalence{{30, 0}, {60, .05}, {75, .12}, {200, .25}},
		followUpsPerYear: 1, meds: []string{"lisinopril"}},
	{key: condCAD, snomed: "53741008", snomedName: "Coronary arteriosclerosis (disorder)", icd: "I25.10", icdName: "Atherosclerotic heart disease of native coronary artery without angina pectoris",
		name: "coronary artery disease", minAge: 35, prevalence: []agePrevalence{{35, 0}, {60, .04}, {75, .12}, {200, .20}},
		followUpsPerYear: 1, meds: []string{"aspirin", "atorvastatin", "metoprolol"}},
	{key: condAF, snomed: "49436004", snomedName: "Atrial fibrillation (disorder)", icd: "I48.91", icdName: "Unspecified atrial fibrillation",
		name: "atrial fibrillation", minAge: 40, prevalence: []agePrevalence{{40, 0}, {65, .02}, {75, .06}, {200, .10}},
		followUpsPerYear: 1, meds: []string{"apixaban", "metoprolol"}},
	{key: condCOPD, snomed: "13645005", snomedName: "Chronic obstructive lung disease (disorder)", icd: "J44.9", icdName: "Chronic obstructive pulmonary disease, unspecified",
		name: "COPD", minAge: 40, prevalence: []agePrevalence{{40, 0}, {60, .05}, {75, .10}, {200, .12}},
		followUpsPerYear: 1, meds: []string{"tiotropium", "albuterol"}},
	{key: condAsthma, snomed: "195967001", snomedName: "Asthma (disorder)", icd: "J45.909", icdName: "Unspecified asthma, uncomplicated",
		name: "asthma", minAge: 2, prevalence: []agePrevalence{{2, 0}, {18, .08}, {200, .07}},
		followUpsPerYear: 0.5, meds: []string{"albuterol", "fluticasone"}},
	{key: condDepression, snomed: "370143000", snomedName: "Major depressive disorder (disorder)", icd: "F32.9", icdName: "Major depressive disorder, single episode, unspecified",
		name: "depression", minAge: 12, prevalence: []agePrevalence{{12, 0}, {18, .06}, {200, .09}},
		followUpsPerYear: 1, meds: []string{"sertraline"}},
}

// riskFactors multiplies the prevalence of a condition when the patient
// already has another one (e.g. diabetes is far more common with obesity).
var riskFactors = map[string][]struct {
	given  string
	factor float64
}{
	condDiabetes:       {{condObesity, 2}},
	condHypertension:   {{condObesity, 1.4}},
	condHyperlipidemia: {{condObesity, 1.3}},
	condCKD:            {{condDiabetes, 2}, {condHypertension, 1.6}},
	condCAD:            {{condHypertension, 1.5}, {condHyperlipidemia, 1.5}, {condDiabetes, 1.4}},
	condAF:             {{condHypertension, 1.4}},
}

// acuteConditions are self-limiting conditions diagnosed at sick visits;
// they resolve after a couple of weeks.
var acuteConditions = []conditionDef{
	{key: "bronchitis", snomed: "10509002", snomedName: "Acute bronchitis (disorder)", icd: "J20.9", icdName: "Acute bronchitis, unspecified",
		name: "acute bronchitis"},
	{key: "sinusitis", snomed: "444814009", snomedName: "Viral sinusitis (disorder)", icd: "J01.90", icdName: "Acute sinusitis, unspecified",
		name: "viral sinusitis"},
	{key: "pharyngitis", snomed: "195662009", snomedName: "Acute viral pharyngitis (disorder)", icd: "J02.9", icdName: "Acute pharyngitis, unspecified",
		name: "acute viral pharyngitis"},
}

// acuteWeights are the relative frequencies of acuteConditions.
var acuteWeights = []float64{3, 4, 3}

// code returns the condition's CodeableConcept with both SNOMED CT and
// ICD-10-CM codings.
func (d *conditionDef) code() codeableConcept {
	return codeableConcept{
		Coding: []coding{
			{System: systemSNOMED, Code: d.snomed, Display: d.snomedName},
			{System: systemICD10CM, Code: d.icd, Display: d.icdName},
		},
		Text: d.name,
	}
}

// probability returns the prevalence of d at the given age, raised by the
// conditions the patient already has.
func (d *conditionDef) probability(age float64, has func(string) bool) float64 {
	p := 0.0
	for _, row := range d.prevalence {
		if age < row.maxAge {
			p = row.p
			break
		}
	}
	for _, rf := range riskFactors[d.key] {
		if has(rf.given) {
			p *= rf.factor
		}
	}
	return min(p, 0.9)
}
