package synth

// medicationDef is an RxNorm ingredient (TTY=IN) concept with a typical
// dosage instruction.
//
// Source: RxNorm ingredient concepts as shown by NLM RxNav
// (https://mor.nlm.nih.gov/RxNav/), e.g. metformin 6809, lisinopril 29046.
type medicationDef struct {
	rxcui, name, dosage string
}

var medications = map[string]medicationDef{
	"metformin":        {"6809", "metformin", "500 mg by mouth twice daily with meals"},
	"insulin-glargine": {"274783", "insulin glargine", "10 units subcutaneously at bedtime"},
	"lisinopril":       {"29046", "lisinopril", "10 mg by mouth once daily"},
	"amlodipine":       {"17767", "amlodipine", "5 mg by mouth once daily"},
	"atorvastatin":     {"83367", "atorvastatin", "20 mg by mouth once daily"},
	"albuterol":        {"435", "albuterol", "2 puffs inhaled every 4 to 6 hours as needed"},
	"fluticasone":      {"41126", "fluticasone", "2 puffs inhaled twice daily"},
	"sertraline":       {"36437", "sertraline", "50 mg by mouth once daily"},
	"apixaban":         {"1364430", "apixaban", "5 mg by mouth twice daily"},
	"aspirin":          {"1191", "aspirin", "81 mg by mouth once daily"},
	"metoprolol":       {"6918", "metoprolol", "25 mg by mouth twice daily"},
	"tiotropium":       {"69120", "tiotropium", "2 inhalations once daily"},
}

// medicationConcept returns the RxNorm CodeableConcept of a medication.
func (m medicationDef) concept() codeableConcept {
	return concept(systemRxNorm, m.rxcui, m.name)
}
