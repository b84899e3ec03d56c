package linkage

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Patient holds the demographics of one Patient resource that linkage
// compares. Empty fields are missing and weigh nothing.
type Patient struct {
	// ID is the logical id of the Patient resource.
	ID string
	// Family is the family name; Given the given names, first first.
	Family string
	Given  []string
	// BirthDate is the FHIR date (YYYY, YYYY-MM or YYYY-MM-DD).
	BirthDate string
	// Gender is the FHIR administrative gender code.
	Gender string
	// Line is the first street line of the address; City and PostalCode
	// complete it.
	Line, City, PostalCode string
	// Phones are the phone numbers of the patient, as written.
	Phones []string
	// Identifiers are the business identifiers of the patient.
	Identifiers []Identifier
}

// Identifier is a business identifier (FHIR Identifier.system and value).
type Identifier struct {
	System, Value string
}

// ErrNotPatient is wrapped by the error [FromFHIR] returns for JSON that
// is not a Patient resource.
var ErrNotPatient = errors.New("linkage: not a Patient resource")

// fhirPatient is the part of a FHIR R4 Patient that FromFHIR reads
// (https://hl7.org/fhir/R4/patient.html).
type fhirPatient struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Identifier   []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	} `json:"identifier"`
	Name []struct {
		Use    string   `json:"use"`
		Text   string   `json:"text"`
		Family string   `json:"family"`
		Given  []string `json:"given"`
	} `json:"name"`
	Telecom []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	} `json:"telecom"`
	Gender    string `json:"gender"`
	BirthDate string `json:"birthDate"`
	Address   []struct {
		Use        string   `json:"use"`
		Line       []string `json:"line"`
		City       string   `json:"city"`
		PostalCode string   `json:"postalCode"`
	} `json:"address"`
}

// FromFHIR reads the demographics of a Patient resource's JSON. It takes
// the official name (else the first that is not old), and the home address
// (else the first).
func FromFHIR(body []byte) (Patient, error) {
	var fp fhirPatient
	if err := json.Unmarshal(body, &fp); err != nil {
		return Patient{}, fmt.Errorf("linkage: read Patient: %w", err)
	}
	if fp.ResourceType != "Patient" {
		return Patient{}, fmt.Errorf("%w: resourceType %q", ErrNotPatient, fp.ResourceType)
	}
	if fp.ID == "" {
		return Patient{}, fmt.Errorf("%w: no id", ErrNotPatient)
	}
	p := Patient{ID: fp.ID, BirthDate: fp.BirthDate, Gender: fp.Gender}
	if i := pickName(&fp); i >= 0 {
		n := fp.Name[i]
		p.Family, p.Given = n.Family, n.Given
		if p.Family == "" && len(p.Given) == 0 && n.Text != "" {
			p.Family, p.Given = splitText(n.Text)
		}
	}
	if i := pickAddress(&fp); i >= 0 {
		a := fp.Address[i]
		if len(a.Line) > 0 {
			p.Line = a.Line[0]
		}
		p.City, p.PostalCode = a.City, a.PostalCode
	}
	for _, t := range fp.Telecom {
		if t.System == "phone" && t.Value != "" {
			p.Phones = append(p.Phones, t.Value)
		}
	}
	for _, id := range fp.Identifier {
		if id.System != "" && id.Value != "" {
			p.Identifiers = append(p.Identifiers, Identifier{System: id.System, Value: id.Value})
		}
	}
	return p, nil
}

// pickName returns the index of the official name, else of the first name
// that is not old, else -1.
func pickName(fp *fhirPatient) int {
	first := -1
	for i, n := range fp.Name {
		if n.Use == "official" {
			return i
		}
		if first < 0 && n.Use != "old" {
			first = i
		}
	}
	return first
}

// pickAddress returns the index of the home address, else 0, else -1.
func pickAddress(fp *fhirPatient) int {
	for i, a := range fp.Address {
		if a.Use == "home" {
			return i
		}
	}
	if len(fp.Address) > 0 {
		return 0
	}
	return -1
}

// splitText splits a name written only as text ("Ann Lee") into the last
// word, taken as the family name, and the others.
func splitText(text string) (string, []string) {
	words := strings.Fields(text)
	if len(words) == 0 {
		return "", nil
	}
	return words[len(words)-1], words[:len(words)-1]
}
