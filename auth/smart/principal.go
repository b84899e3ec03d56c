package smart

import "github.com/fhirlake/fhirlake/fhir"

// Principal is who a verified token speaks for and what it may do.
type Principal struct {
	// Subject is the token's sub claim.
	Subject string
	// ClientID is the client_id claim, or azp when client_id is absent.
	ClientID string
	// Scopes are the token's valid scopes (invalid ones are dropped).
	Scopes []Scope
	// Patient is the SMART patient launch context; patient/ scopes grant
	// nothing without it.
	Patient string
	// FHIRUser is the fhirUser claim (such as "Practitioner/123").
	FHIRUser string
}

// fhirType reports whether t is an R4 resource type.
func fhirType(t string) bool { return fhir.IsResourceType(t) }
