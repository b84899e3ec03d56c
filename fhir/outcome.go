package fhir

import "encoding/json"

// Issue is one entry of an OperationOutcome.
type Issue struct {
	Severity    string `json:"severity"`              // fatal | error | warning | information
	Code        string `json:"code"`                  // e.g. not-found, invalid, exception
	Diagnostics string `json:"diagnostics,omitempty"` // human-readable detail
	// Expression holds FHIRPath locations of the problem, such as
	// "Patient.birthDate" or "Observation.component[1].code".
	Expression []string `json:"expression,omitempty"`
}

// OperationOutcome is the FHIR resource returned with every error response.
type OperationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []Issue `json:"issue"`
}

// NewOutcome builds an OperationOutcome with a single issue.
func NewOutcome(severity, code, diagnostics string) OperationOutcome {
	return OperationOutcome{
		ResourceType: "OperationOutcome",
		Issue:        []Issue{{Severity: severity, Code: code, Diagnostics: diagnostics}},
	}
}

// JSON encodes the outcome. It never fails for this fixed shape.
func (o OperationOutcome) JSON() []byte {
	b, _ := json.Marshal(o)
	return b
}
