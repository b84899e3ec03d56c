// Package ingest reads FHIR R4 data files and turns them into validated
// resources ready for the raw store.
//
// The reading half is streaming: [ReadFile] calls a [Handler] once per valid
// resource ([Record]) and once per rejected one ([RecordError]), and its memory
// does not grow with the size of the file, only with the size of the largest
// single record (NDJSON line or Bundle entry). [Walk] expands files and
// directories into the list of files ReadFile understands.
//
// Supported inputs, optionally gzip-compressed (by a ".gz" suffix and/or the
// gzip magic bytes):
//
//   - NDJSON (".ndjson", ".jsonl"): one resource per line, as written by the
//     FHIR Bulk Data export (https://hl7.org/fhir/uv/bulkdata/). Blank lines
//     are skipped; CRLF line ends are accepted. A Bundle on a line is unpacked.
//   - JSON (".json"): either a single resource, or a Bundle
//     (https://hl7.org/fhir/R4/bundle.html) of type transaction, batch,
//     collection or searchset, whose entries are unpacked. References to an
//     entry's "urn:uuid:" or "urn:oid:" fullUrl are rewritten to "Type/id".
//
// Every record is checked for: valid UTF-8 and JSON, a JSON object, a known R4
// resourceType (fhir.IsResourceType) and a valid logical id (fhir.ValidID).
// A resource without an id gets one derived from a hash of its content, so
// importing the same file twice yields the same ids. A bad record produces
// exactly one RecordError carrying file, line and reason, and reading goes on
// with the next record.
package ingest
