// Package jobs runs import jobs in the background and keeps their records
// on disk (issue 8: import jobs).
//
// A [Job] names a data store and the inputs to load into it (paths or
// URIs, as given), and carries its [State], timestamps, [Progress] and the
// path of its error report. The [Manager] queues jobs, runs the jobs of one
// data store one at a time through a [Runner] (which does the real work,
// such as ingest.Import: this package knows nothing of FHIR files or
// stores), and cancels them through their context.
//
// Each job lives in its data store's folder:
//
//	<store>/imports/<id>/job.json      the Job, rewritten atomically (temp file + rename)
//	<store>/imports/<id>/errors.ndjson one OperationOutcome per rejected record (mode 0600)
//	<store>/imports/<id>/mapping.yaml  the CSV mapping the job was given, if any
//
// so jobs survive restarts. [Open] turns the jobs it finds queued or
// running (their process died) into [Interrupted]; [Manager.Resume] runs
// them again from the start. Re-running is safe because imports are
// idempotent: a resource identical to the stored one creates no new
// version, and each store batch is atomic, so a cancelled or interrupted
// job leaves every batch either committed or absent.
//
// # Encryption at rest
//
// The error report quotes the start of every rejected record (PHI), and
// job.json can hold identifiers in its warnings (references left
// unresolved) and errors. With [Options.SealKey] (per data store: 32
// bytes, keyring.PurposeImport of its data key) both are encrypted:
//
//   - job.json is one sealed value (package internal/sealed, value
//     format: version byte 1, random nonce, AES-256-GCM ciphertext and
//     tag) with AAD "fhirlake import job v1" NUL job id, written
//     atomically as before;
//   - errors.ndjson is a sealed stream (internal/sealed, magic "FLSE",
//     64 KiB chunks) with AAD "fhirlake import report v1" NUL job id.
//
// A plaintext job.json starts with '{' and a plaintext report does not
// start with "FLSE", so readers tell the formats apart: job folders
// written before a key was configured stay readable, with or without
// it. A sealed file read without the key fails with [ErrEncrypted], with
// a wrong key (or damaged) with an error wrapping sealed.ErrAuth.
// [Manager.Report] and [Folder] ([Folder.List], [Folder.Get],
// [Folder.Report]) read both formats; the package functions [List] and
// [Get] read plaintext ones. A sealed stream is authenticated chunk by
// chunk up to a final chunk written when the job ends, so while a job
// runs its sealed report is readable only up to its last complete chunk
// (complete lines only); the rest appears when the job ends.
// mapping.yaml (the CSV mapping, configuration rather than records) is
// not encrypted.
//
// The error report follows the FHIR OperationOutcome resource
// (https://hl7.org/fhir/R4/operationoutcome.html): each line has one
// issue whose diagnostics is the reason, whose location is "file:line",
// and whose extension [FragmentExtension] holds the start of the
// offending record.
package jobs
