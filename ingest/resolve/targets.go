package resolve

import (
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// singleTarget lists FHIR R4 Reference elements whose name does not say
// their only target type (fhir/r4's element table has no target
// profiles). Elements named after their target are found by targetType.
var singleTarget = map[string]string{
	"Encounter.serviceProvider":             "Organization",
	"Encounter.partOf":                      "Encounter",
	"Encounter.location.location":           "Location",
	"Location.partOf":                       "Location",
	"Organization.partOf":                   "Organization",
	"Claim.insurer":                         "Organization",
	"Claim.facility":                        "Location",
	"ExplanationOfBenefit.insurer":          "Organization",
	"ExplanationOfBenefit.facility":         "Location",
	"Coverage.beneficiary":                  "Patient",
	"Device.owner":                          "Organization",
	"Medication.manufacturer":               "Organization",
	"HealthcareService.providedBy":          "Organization",
	"Practitioner.qualification.issuer":     "Organization",
	"MedicationRequest.medicationReference": "Medication",
}

// targetType returns the resource type an identifier-only Reference at
// path (as walk names it) must point to when Reference.type is absent:
// from singleTarget, or from an element named after a resource type
// (Location.managingOrganization, Immunization.patient,
// Claim.insurance.coverage). "" when neither says.
func targetType(path string) string {
	p := stripIndexes(path)
	if t, ok := singleTarget[p]; ok {
		return t
	}
	name := p[strings.LastIndexByte(p, '.')+1:]
	if name == "" {
		return ""
	}
	if t := strings.ToUpper(name[:1]) + name[1:]; fhir.IsResourceType(t) {
		return t
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; c >= 'A' && c <= 'Z' && fhir.IsResourceType(name[i:]) {
			return name[i:]
		}
	}
	return ""
}

// stripIndexes removes the [n] of a walk path.
func stripIndexes(path string) string {
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] == '[' {
			for i < len(path) && path[i] != ']' {
				i++
			}
			continue
		}
		b.WriteByte(path[i])
	}
	return b.String()
}
