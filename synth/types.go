package synth

// This file holds the FHIR R4 JSON shapes the generator writes. Structs
// (not maps) keep the field order, and therefore the bytes, stable.
// Field names follow https://hl7.org/fhir/R4/datatypes.html and the
// resource pages linked beside each type.

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type codeableConcept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type quantity struct {
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	System string  `json:"system,omitempty"`
	Code   string  `json:"code,omitempty"`
}

type identifier struct {
	Use    string           `json:"use,omitempty"`
	Type   *codeableConcept `json:"type,omitempty"`
	System string           `json:"system,omitempty"`
	Value  string           `json:"value,omitempty"`
}

type humanName struct {
	Use    string   `json:"use,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
	Prefix []string `json:"prefix,omitempty"`
}

type address struct {
	Use        string   `json:"use,omitempty"`
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	State      string   `json:"state,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Country    string   `json:"country,omitempty"`
}

type contactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
	Use    string `json:"use,omitempty"`
}

type extension struct {
	URL         string      `json:"url"`
	Extension   []extension `json:"extension,omitempty"`
	ValueCoding *coding     `json:"valueCoding,omitempty"`
	ValueString string      `json:"valueString,omitempty"`
}

// patientResource: https://hl7.org/fhir/R4/patient.html
type patientResource struct {
	ResourceType         string           `json:"resourceType"`
	ID                   string           `json:"id"`
	Extension            []extension      `json:"extension,omitempty"`
	Identifier           []identifier     `json:"identifier"`
	Name                 []humanName      `json:"name"`
	Telecom              []contactPoint   `json:"telecom,omitempty"`
	Gender               string           `json:"gender"`
	BirthDate            string           `json:"birthDate"`
	DeceasedDateTime     string           `json:"deceasedDateTime,omitempty"`
	Address              []address        `json:"address,omitempty"`
	MaritalStatus        *codeableConcept `json:"maritalStatus,omitempty"`
	GeneralPractitioner  []reference      `json:"generalPractitioner,omitempty"`
	ManagingOrganization *reference       `json:"managingOrganization,omitempty"`
}

// organizationResource: https://hl7.org/fhir/R4/organization.html
type organizationResource struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Identifier   []identifier      `json:"identifier,omitempty"`
	Active       bool              `json:"active"`
	Type         []codeableConcept `json:"type,omitempty"`
	Name         string            `json:"name"`
	Telecom      []contactPoint    `json:"telecom,omitempty"`
	Address      []address         `json:"address,omitempty"`
}

// practitionerResource: https://hl7.org/fhir/R4/practitioner.html
type practitionerResource struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id"`
	Identifier   []identifier `json:"identifier,omitempty"`
	Active       bool         `json:"active"`
	Name         []humanName  `json:"name"`
	Gender       string       `json:"gender,omitempty"`
}

type encounterParticipant struct {
	Type       []codeableConcept `json:"type,omitempty"`
	Individual reference         `json:"individual"`
}

// encounterResource: https://hl7.org/fhir/R4/encounter.html
type encounterResource struct {
	ResourceType    string                 `json:"resourceType"`
	ID              string                 `json:"id"`
	Status          string                 `json:"status"`
	Class           coding                 `json:"class"`
	Type            []codeableConcept      `json:"type"`
	Subject         reference              `json:"subject"`
	Participant     []encounterParticipant `json:"participant,omitempty"`
	Period          period                 `json:"period"`
	ReasonReference []reference            `json:"reasonReference,omitempty"`
	ServiceProvider *reference             `json:"serviceProvider,omitempty"`
}

// conditionResource: https://hl7.org/fhir/R4/condition.html
type conditionResource struct {
	ResourceType       string            `json:"resourceType"`
	ID                 string            `json:"id"`
	ClinicalStatus     codeableConcept   `json:"clinicalStatus"`
	VerificationStatus codeableConcept   `json:"verificationStatus"`
	Category           []codeableConcept `json:"category"`
	Code               codeableConcept   `json:"code"`
	Subject            reference         `json:"subject"`
	Encounter          *reference        `json:"encounter,omitempty"`
	OnsetDateTime      string            `json:"onsetDateTime"`
	AbatementDateTime  string            `json:"abatementDateTime,omitempty"`
	RecordedDate       string            `json:"recordedDate"`
}

type observationComponent struct {
	Code          codeableConcept `json:"code"`
	ValueQuantity *quantity       `json:"valueQuantity,omitempty"`
}

// observationResource: https://hl7.org/fhir/R4/observation.html
type observationResource struct {
	ResourceType      string                 `json:"resourceType"`
	ID                string                 `json:"id"`
	Status            string                 `json:"status"`
	Category          []codeableConcept      `json:"category"`
	Code              codeableConcept        `json:"code"`
	Subject           reference              `json:"subject"`
	Encounter         *reference             `json:"encounter,omitempty"`
	EffectiveDateTime string                 `json:"effectiveDateTime"`
	Issued            string                 `json:"issued"`
	ValueQuantity     *quantity              `json:"valueQuantity,omitempty"`
	Component         []observationComponent `json:"component,omitempty"`
}

type dosage struct {
	Text string `json:"text"`
}

// medicationRequestResource: https://hl7.org/fhir/R4/medicationrequest.html
type medicationRequestResource struct {
	ResourceType              string          `json:"resourceType"`
	ID                        string          `json:"id"`
	Status                    string          `json:"status"`
	Intent                    string          `json:"intent"`
	MedicationCodeableConcept codeableConcept `json:"medicationCodeableConcept"`
	Subject                   reference       `json:"subject"`
	Encounter                 *reference      `json:"encounter,omitempty"`
	AuthoredOn                string          `json:"authoredOn"`
	Requester                 *reference      `json:"requester,omitempty"`
	ReasonReference           []reference     `json:"reasonReference,omitempty"`
	DosageInstruction         []dosage        `json:"dosageInstruction,omitempty"`
}

// procedureResource: https://hl7.org/fhir/R4/procedure.html
type procedureResource struct {
	ResourceType    string          `json:"resourceType"`
	ID              string          `json:"id"`
	Status          string          `json:"status"`
	Code            codeableConcept `json:"code"`
	Subject         reference       `json:"subject"`
	Encounter       *reference      `json:"encounter,omitempty"`
	PerformedPeriod period          `json:"performedPeriod"`
	ReasonReference []reference     `json:"reasonReference,omitempty"`
}

// immunizationResource: https://hl7.org/fhir/R4/immunization.html
type immunizationResource struct {
	ResourceType       string          `json:"resourceType"`
	ID                 string          `json:"id"`
	Status             string          `json:"status"`
	VaccineCode        codeableConcept `json:"vaccineCode"`
	Patient            reference       `json:"patient"`
	Encounter          *reference      `json:"encounter,omitempty"`
	OccurrenceDateTime string          `json:"occurrenceDateTime"`
	PrimarySource      bool            `json:"primarySource"`
}

type allergyReaction struct {
	Manifestation []codeableConcept `json:"manifestation"`
	Severity      string            `json:"severity,omitempty"`
}

// allergyResource: https://hl7.org/fhir/R4/allergyintolerance.html
type allergyResource struct {
	ResourceType       string            `json:"resourceType"`
	ID                 string            `json:"id"`
	ClinicalStatus     codeableConcept   `json:"clinicalStatus"`
	VerificationStatus codeableConcept   `json:"verificationStatus"`
	Type               string            `json:"type"`
	Category           []string          `json:"category"`
	Criticality        string            `json:"criticality"`
	Code               codeableConcept   `json:"code"`
	Patient            reference         `json:"patient"`
	Encounter          *reference        `json:"encounter,omitempty"`
	RecordedDate       string            `json:"recordedDate"`
	Reaction           []allergyReaction `json:"reaction,omitempty"`
}

type attachment struct {
	ContentType string `json:"contentType"`
	Data        string `json:"data"`
	Title       string `json:"title,omitempty"`
}

type documentContent struct {
	Attachment attachment `json:"attachment"`
}

type documentContext struct {
	Encounter []reference `json:"encounter"`
	Period    *period     `json:"period,omitempty"`
}

// documentReferenceResource: https://hl7.org/fhir/R4/documentreference.html
type documentReferenceResource struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Status       string            `json:"status"`
	Type         codeableConcept   `json:"type"`
	Category     []codeableConcept `json:"category,omitempty"`
	Subject      reference         `json:"subject"`
	Date         string            `json:"date"`
	Author       []reference       `json:"author,omitempty"`
	Content      []documentContent `json:"content"`
	Context      documentContext   `json:"context"`
}
