package synth

// obsDef is a LOINC-coded observation with its UCUM unit.
//
// Sources: LOINC codes and long names from loinc.org (https://loinc.org/);
// units are UCUM (https://ucum.org/) case-sensitive codes.
type obsDef struct {
	loinc, display, unit string
	decimals             int // rounding of the value
	lab                  bool
}

// Observation keys.
const (
	obsHeartRate   = "heart-rate"
	obsBPPanel     = "bp-panel"
	obsSystolic    = "systolic"
	obsDiastolic   = "diastolic"
	obsWeight      = "weight"
	obsHeight      = "height"
	obsBMI         = "bmi"
	obsTemperature = "temperature"
	obsRespRate    = "resp-rate"
	obsHbA1c       = "hba1c"
	obsGlucose     = "glucose"
	obsCholesterol = "cholesterol"
	obsLDL         = "ldl"
	obsHDL         = "hdl"
	obsTriglycer   = "triglycerides"
	obsCreatinine  = "creatinine"
	obsEGFR        = "egfr"
)

var observations = map[string]obsDef{
	obsHeartRate:   {"8867-4", "Heart rate", "/min", 0, false},
	obsBPPanel:     {"85354-9", "Blood pressure panel with all children optional", "", 0, false},
	obsSystolic:    {"8480-6", "Systolic blood pressure", "mm[Hg]", 0, false},
	obsDiastolic:   {"8462-4", "Diastolic blood pressure", "mm[Hg]", 0, false},
	obsWeight:      {"29463-7", "Body weight", "kg", 1, false},
	obsHeight:      {"8302-2", "Body height", "cm", 1, false},
	obsBMI:         {"39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", 1, false},
	obsTemperature: {"8310-5", "Body temperature", "Cel", 1, false},
	obsRespRate:    {"9279-1", "Respiratory rate", "/min", 0, false},
	obsHbA1c:       {"4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 1, true},
	obsGlucose:     {"2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 0, true},
	obsCholesterol: {"2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 0, true},
	obsLDL:         {"18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", "mg/dL", 0, true},
	obsHDL:         {"2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL", 0, true},
	obsTriglycer:   {"2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL", 0, true},
	obsCreatinine:  {"2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 2, true},
	obsEGFR:        {"33914-3", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)", "mL/min/{1.73_m2}", 0, true},
}

// code returns the LOINC CodeableConcept of an observation.
func (d obsDef) code() codeableConcept { return concept(systemLOINC, d.loinc, d.display) }

// quantity returns a UCUM valueQuantity rounded to the definition's
// precision.
func (d obsDef) quantity(v float64) *quantity {
	return &quantity{Value: round(v, d.decimals), Unit: d.unit, System: systemUCUM, Code: d.unit}
}
