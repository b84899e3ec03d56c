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
//	<store>/imports/<id>/errors.ndjson one OperationOutcome per rejected record
//	<store>/imports/<id>/mapping.yaml  the CSV mapping the job was given, if any
//
// so jobs survive restarts. [Open] turns the jobs it finds queued or
// running (their process died) into [Interrupted]; [Manager.Resume] runs
// them again from the start. Re-running is safe because imports are
// idempotent: a resource identical to the stored one creates no new
// version, and each store batch is atomic, so a cancelled or interrupted
// job leaves every batch either committed or absent.
//
// The error report follows the FHIR OperationOutcome resource
// (https://hl7.org/fhir/R4/operationoutcome.html): each line has one
// issue whose diagnostics is the reason, whose location is "file:line",
// and whose extension [FragmentExtension] holds the start of the
// offending record.
package jobs
