// Package export implements the FHIR Bulk Data Access $export operation
// with its asynchronous request pattern
// (https://hl7.org/fhir/uv/bulkdata/STU2/export.html) over a data store's
// raw resources.
//
// A [Manager] runs export jobs and serves their endpoints; [Manager.Routes]
// registers them on an http.ServeMux next to the FHIR REST API:
//
//	GET|POST /fhir/{datastore}/$export               system-level kick-off
//	GET|POST /fhir/{datastore}/Patient/$export       patient-level kick-off
//	GET|POST /fhir/{datastore}/Group/{id}/$export    group-level kick-off
//	GET      /fhir/{datastore}/$export-status/{job}  status: 202 with X-Progress, then 200 with the manifest
//	DELETE   /fhir/{datastore}/$export-status/{job}  cancel a running job or remove a finished one
//	GET      /fhir/{datastore}/$export-file/{job}/{name}  one NDJSON output file
//
// Kick-off expects Prefer: respond-async and Accept: application/fhir+json
// but does not require them. It accepts _outputFormat (application/fhir+ndjson,
// application/ndjson or ndjson), _since (a FHIR instant; resources whose
// meta.lastUpdated is after it) and _type (a comma-separated list of
// resource types). Other parameters (_typeFilter, _elements,
// includeAssociatedData, ...) are refused with 400 when the Prefer header
// asks for handling=strict, and otherwise ignored with a warning in the
// manifest's error file. POST kick-off takes the same parameters in a FHIR
// Parameters body, plus patient references that restrict patient- and
// group-level exports.
//
// _deid=safe-harbor (on any kick-off) makes the job write every resource
// de-identified by the HIPAA Safe Harbor method (package deid, keyed by
// Options.DeidKey, with the job's transaction time as reference date)
// instead of as stored; the manifest then carries the extension
// {"deidentification": "safe-harbor"}, and error file texts name only a
// resource type. Any other _deid value is refused with 400. A request
// marked [WithDeidOnly] (a deid-analyst's) must ask for it, and sees the
// status and files of de-identified jobs only.
//
// Patient- and group-level exports keep only resources in the Patient
// compartment (https://hl7.org/fhir/R4/compartmentdefinition-patient.html)
// of the patients concerned: a resource belongs if one of the elements
// listed for its type in compartmentPaths (generated from the R4
// CompartmentDefinition and search parameters, see compartment_gen_test.go)
// holds a reference to Patient/{id}.
//
// # Streaming and files
//
// A job streams each resource type from [Source.Scan] into NDJSON files
// under <data store folder>/exports/<job>/, one file per type split into
// parts of Options.PartSize resources, each written as *.tmp and renamed
// when complete; memory use does not depend on the size of the store. The
// job's state is kept in job.json (written atomically), so finished
// manifests and files survive a restart, and a job that was running when
// the process stopped is reported as failed. At most Options.MaxRunning
// jobs run at once and at most Options.MaxPending are queued or running;
// finished jobs and their files are deleted after Options.Retention.
//
// Every error response is a FHIR OperationOutcome (application/fhir+json).
package export
