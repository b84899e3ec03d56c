package synth

// Code system URIs, as named by the FHIR R4 terminology pages
// (https://hl7.org/fhir/R4/terminologies-systems.html) and US Core.
const (
	systemSNOMED   = "http://snomed.info/sct"
	systemICD10CM  = "http://hl7.org/fhir/sid/icd-10-cm"
	systemLOINC    = "http://loinc.org"
	systemUCUM     = "http://unitsofmeasure.org"
	systemRxNorm   = "http://www.nlm.nih.gov/research/umls/rxnorm"
	systemCVX      = "http://hl7.org/fhir/sid/cvx"
	systemActCode  = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	systemSSN      = "http://hl7.org/fhir/sid/us-ssn"
	systemNPI      = "http://hl7.org/fhir/sid/us-npi"
	systemMRN      = "http://fhirlake.example/mrn"
	systemOrgID    = "http://fhirlake.example/organization"
	systemV20203   = "http://terminology.hl7.org/CodeSystem/v2-0203"
	systemMarital  = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"
	systemPartType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	systemOrgType  = "http://terminology.hl7.org/CodeSystem/organization-type"
	systemCondClin = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	systemCondVer  = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	systemCondCat  = "http://terminology.hl7.org/CodeSystem/condition-category"
	systemObsCat   = "http://terminology.hl7.org/CodeSystem/observation-category"
	systemAllClin  = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	systemAllVer   = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
	systemDocCat   = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
	systemOMBRace  = "urn:oid:2.16.840.1.113883.6.238"

	extRace      = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
	extEthnicity = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"
)

// concept returns a CodeableConcept with one coding and its display as text.
func concept(system, code, display string) codeableConcept {
	return codeableConcept{Coding: []coding{{System: system, Code: code, Display: display}}, Text: display}
}

// Fixed concepts used on many resources.
var (
	conditionActive     = concept(systemCondClin, "active", "Active")
	conditionResolved   = concept(systemCondClin, "resolved", "Resolved")
	conditionConfirmed  = concept(systemCondVer, "confirmed", "Confirmed")
	categoryProblemList = concept(systemCondCat, "problem-list-item", "Problem List Item")
	categoryEncounterDx = concept(systemCondCat, "encounter-diagnosis", "Encounter Diagnosis")
	categoryVitalSigns  = concept(systemObsCat, "vital-signs", "Vital Signs")
	categoryLaboratory  = concept(systemObsCat, "laboratory", "Laboratory")
	allergyActive       = concept(systemAllClin, "active", "Active")
	allergyConfirmed    = concept(systemAllVer, "confirmed", "Confirmed")
	participantPrimary  = concept(systemPartType, "PPRF", "primary performer")
	clinicalNoteCat     = concept(systemDocCat, "clinical-note", "Clinical Note")
)
