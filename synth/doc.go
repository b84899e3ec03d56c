// Package synth generates deterministic, realistic synthetic FHIR R4 data:
// patients with encounters, conditions, observations, medication requests,
// procedures, immunizations, allergies and clinical notes, plus a shared pool
// of organizations and practitioners.
//
// The output is both demo data and benchmark data for fhirlake. [Generate]
// writes either FHIR Bulk Data style NDJSON (one <Type>.ndjson file per
// resource type) or one FHIR transaction Bundle per patient. Generation
// streams one patient at a time, so memory does not grow with the number
// of patients, and the same [Options.Seed] always yields byte-identical
// files: nothing depends on the clock or on map iteration order, and all
// dates are relative to the fixed [ReferenceDate].
//
// Codes come from compact tables whose sources are cited beside them:
// SNOMED CT, ICD-10-CM, LOINC, UCUM, RxNorm and CVX.
//
// Specifications:
//   - FHIR R4: https://hl7.org/fhir/R4/
//   - Bulk Data NDJSON: https://hl7.org/fhir/uv/bulkdata/
//   - Transaction bundles: https://hl7.org/fhir/R4/http.html#transaction
package synth
