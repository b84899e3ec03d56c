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
// may run SQL on it ([CanSQL]): today admin and analyst. The
// de-identified views and the audit_log view do not exist yet, so
// deid-analyst and auditor cannot open a session; when they do, their
// sessions must be restricted to those tables, not opened on every view.
package access
