// Package fhir holds the few facts about FHIR R4 that every other package
// needs: the list of resource types, the rules for logical ids, and the
// OperationOutcome shape used for errors at the HTTP edge.
//
// Specification: https://hl7.org/fhir/R4/
package fhir
