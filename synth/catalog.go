package synth

// snomedConcept is a SNOMED CT concept with its preferred description.
// Source: SNOMED CT International browser (https://browser.ihtsdotools.org/).
type snomedConcept struct{ code, display string }

func (c snomedConcept) concept() codeableConcept { return concept(systemSNOMED, c.code, c.display) }

// visitKind classifies an encounter; it fixes the v3 ActCode class, the
// SNOMED CT type and the duration.
type visitKind int

const (
	visitWellness visitKind = iota
	visitDiagnosis
	visitFollowUp
	visitSick
	visitEmergency
	visitInpatient
)

// visitKinds is indexed by visitKind. Class codes from the HL7 v3 ActCode
// code system (https://terminology.hl7.org/CodeSystem-v3-ActCode.html).
var visitKinds = []struct {
	class   coding
	snomed  snomedConcept
	label   string
	minMins int
	maxMins int
}{
	visitWellness:  {ambulatory, snomedConcept{"185349003", "Encounter for check up (procedure)"}, "annual check-up", 20, 45},
	visitDiagnosis: {ambulatory, snomedConcept{"185345009", "Encounter for symptom (procedure)"}, "evaluation of symptoms", 20, 40},
	visitFollowUp:  {ambulatory, snomedConcept{"390906007", "Follow-up encounter (procedure)"}, "follow-up visit", 15, 30},
	visitSick:      {ambulatory, snomedConcept{"185345009", "Encounter for symptom (procedure)"}, "sick visit", 15, 30},
	visitEmergency: {emergency, snomedConcept{"50849002", "Emergency room admission (procedure)"}, "emergency department visit", 120, 480},
	visitInpatient: {inpatient, snomedConcept{"32485007", "Hospital admission (procedure)"}, "hospital admission", 2 * 24 * 60, 7 * 24 * 60},
}

var (
	ambulatory = coding{System: systemActCode, Code: "AMB", Display: "ambulatory"}
	emergency  = coding{System: systemActCode, Code: "EMER", Display: "emergency"}
	inpatient  = coding{System: systemActCode, Code: "IMP", Display: "inpatient encounter"}
)

// Procedures (SNOMED CT procedure concepts).
var (
	procECG          = snomedConcept{"29303009", "Electrocardiographic procedure (procedure)"}
	procSpirometry   = snomedConcept{"127783003", "Spirometry (procedure)"}
	procColonoscopy  = snomedConcept{"73761001", "Colonoscopy (procedure)"}
	procMammography  = snomedConcept{"71651007", "Mammography (procedure)"}
	procDepressionSc = snomedConcept{"171207006", "Depression screening (procedure)"}
	procMedRecon     = snomedConcept{"430193006", "Medication reconciliation (procedure)"}
	procHemodialysis = snomedConcept{"302497006", "Hemodialysis (procedure)"}
)

// vaccineDef is a CVX vaccine code.
// Source: CDC CVX code set (https://www2.cdc.gov/vaccines/iis/iisstandards/vaccines.asp?rpt=cvx).
type vaccineDef struct{ cvx, display string }

func (v vaccineDef) concept() codeableConcept { return concept(systemCVX, v.cvx, v.display) }

var (
	vaxInfluenza = vaccineDef{"140", "Influenza, seasonal, injectable, preservative free"}
	vaxCOVID     = vaccineDef{"208", "SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose"}
	vaxTdap      = vaccineDef{"115", "Tdap"}
	vaxTd        = vaccineDef{"113", "Td (adult) preservative free"}
	vaxDTaP      = vaccineDef{"20", "DTaP"}
	vaxMMR       = vaccineDef{"03", "MMR"}
	vaxHepB      = vaccineDef{"08", "Hep B, adolescent or pediatric"}
	vaxPPSV23    = vaccineDef{"33", "pneumococcal polysaccharide vaccine, 23 valent"}
)

// allergyDef is a SNOMED CT allergy finding with its AllergyIntolerance
// category (https://hl7.org/fhir/R4/valueset-allergy-intolerance-category.html).
type allergyDef struct {
	snomed   snomedConcept
	category string
	name     string
	weight   float64
}

var allergies = []allergyDef{
	{snomedConcept{"91936005", "Allergy to penicillin (finding)"}, "medication", "penicillin", 4},
	{snomedConcept{"91935009", "Allergy to peanuts (finding)"}, "food", "peanuts", 2},
	{snomedConcept{"300913006", "Shellfish allergy (finding)"}, "food", "shellfish", 2},
	{snomedConcept{"418689008", "Allergy to grass pollen (finding)"}, "environment", "grass pollen", 3},
	{snomedConcept{"300916003", "Latex allergy (finding)"}, "environment", "latex", 1},
}

// allergyReactions are SNOMED CT clinical findings used as manifestations.
var allergyReactions = []snomedConcept{
	{"126485001", "Urticaria (disorder)"},
	{"271807003", "Eruption of skin (disorder)"},
	{"39579001", "Anaphylaxis (disorder)"},
}

// Clinical note types (LOINC document ontology).
var (
	noteProgress = concept(systemLOINC, "11506-3", "Progress note")
	noteHAndP    = concept(systemLOINC, "34117-2", "History and physical note")
)
