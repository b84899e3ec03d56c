// Package access is fhirlake's single source of truth for what each role
// may do, on both protocols: the Postgres wire server and the FHIR HTTP
// API ask it, never their own tables.
//
// Roles are granted to a user per data store (package catalog stores the
// grants; see catalog.Catalog.Grant). A user holds, on data store DS, the
// roles granted on DS plus those granted on "*" (every data store,
// present and future), which only admin and auditor can be granted.
//
// The role matrix (x: allowed):
//
//	action        admin  writer  reader  analyst  deid-analyst  auditor
//	fhir-read       x      x       x
//	fhir-search     x      x       x
//	fhir-write      x      x
//	fhir-import     x      x
//	fhir-export     x      x       x
//	sql-views       x                      x
//	sql-deid        x                      x          x
//	audit-log       x                                               x
//	manage          x
//
// The actions:
//   - fhir-read: read, vread, history, $everything; fhir-search: search,
//     including _include/_revinclude and chains; fhir-write: create,
//     update, patch, delete, transactions and batches that write;
//     fhir-import: bulk and NDJSON imports; fhir-export: bulk $export of
//     identified resources.
//   - sql-views: a SQL session on the data store's views over the wire
//     protocol; sql-deid: SQL on its de-identified views only.
//   - audit-log: the audit log, as the SQL view audit_log or its export.
//   - manage: data stores, views, users and grants.
//
// Over the wire a session on a data store is opened only for a user who
// may run SQL on it ([CanSQL]: admin and analyst) or read its audit log
// ([AuditLog]: admin and auditor), and it sees only what those roles
// allow (cmd/fhirlake's sqlScope picks the engine.Scope): sql-views gives
// the data store's views; audit-log gives the relation audit_log, alone
// for an auditor, holding the audit records of that data store, or of
// the whole log (every data store, and server-wide events such as user
// changes) when the role is granted on "*". The de-identified views do
// not exist yet, so deid-analyst cannot open a session; when they do, its
// sessions must be restricted to them (a deid engine.Scope), not opened
// on every view.
package access
