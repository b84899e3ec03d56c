// Package ingest reads FHIR R4 data files and turns them into validated
// resources ready for the raw store.
//
// The reading half is streaming: [ReadFile] calls a [Handler] once per valid
// resource ([Record]) and once per rejected one ([RecordError]), and its memory
// does not grow with the size of the file, only with the size of the largest
// single record (NDJSON line or Bundle entry). [Walk] expands files and
// directories into the list of files ReadFile understands.
//
// [Import] accepts these path forms, in any mix:
//
//   - a local file or folder (searched recursively; hidden entries and
//     ".jsonl" logs inside folders are ignored);
//   - a glob pattern such as "data/*.ndjson.gz" (filepath.Match syntax; a
//     pattern matching nothing is an error);
//   - "s3://bucket/prefix" on AWS S3 or any S3-compatible store: the object
//     whose key is exactly prefix, else every object under the folder
//     prefix ("s3://bucket" for the whole bucket). Endpoint, region and
//     credentials come from the standard AWS environment variables and
//     config files (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for an
//     S3-compatible server, then addressed path-style). Objects are
//     streamed, several downloaded ahead in parallel (package remote);
//     errors name "s3://bucket/key:line". A missing bucket, a prefix with no
//     objects and a denied listing stop the import with an error naming
//     the URI; an object that cannot be read is rejected like a bad file.
//
// Local files are read first, sorted by path, then S3 objects, sorted by
// URI.
//
// Supported inputs, optionally gzip- or zstd-compressed (detected by the
// magic bytes; a ".gz" or ".zst" name whose content does not match is
// rejected):
//
//   - NDJSON (".ndjson", ".jsonl"): one resource per line, as written by the
//     FHIR Bulk Data export (https://hl7.org/fhir/uv/bulkdata/). Blank lines
//     are skipped; CRLF line ends are accepted. A Bundle on a line is unpacked.
//   - JSON (".json"): either a single resource, or a Bundle
//     (https://hl7.org/fhir/R4/bundle.html) of type transaction, batch,
//     collection or searchset, whose entries are unpacked. References to an
//     entry's "urn:uuid:" or "urn:oid:" fullUrl are rewritten to "Type/id".
//   - CSV (".csv"), converted through Options.CSV (package csvmap): each
//     row's problems are rejected records naming the row and column; a
//     CSV file without a mapping is rejected whole.
//
// Options.Normalize, when set, rewrites each valid record (package
// normalize) on all CPUs before it is batched. The sink may be the store
// itself or a wrapper (package resolve resolves references and merges by
// identifier).
//
// Per file, the reader also rejects: a line longer than MaxRecordBytes
// (64 MiB, skipped without being held whole); in a file named as the Bulk
// Data export names them (<Type>.ndjson, <Type>.<n>.ndjson,
// <Type>-<x>.ndjson, also .jsonl, .gz, .zst), a resource of another type;
// a second resource with the same type and id in one file (or one
// Bundle: a repeated fullUrl too), naming the line of the first.
//
// Every record is checked for: valid UTF-8 and JSON, a JSON object, a known R4
// resourceType (fhir.IsResourceType) and a valid logical id (fhir.ValidID).
// A resource without an id gets one derived from a hash of its content, so
// importing the same file twice yields the same ids. A bad record produces
// exactly one RecordError carrying file, line and reason, and reading goes on
// with the next record.
package ingest
