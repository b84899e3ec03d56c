// Package api is fhirlake's FHIR REST edge (FHIR R4, https://hl7.org/fhir/R4/http.html).
//
// [NewHandler] returns an http.Handler that serves, for every data store,
// under the base /fhir/{datastore}:
//
//	GET /fhir/{datastore}/metadata         the CapabilityStatement
//	GET /fhir/{datastore}/{type}/{id}      read
//
// Only what really works is served and advertised: read (GET, and HEAD for
// its headers), in JSON, with ETag W/"<versionId>" and Last-Modified. Every
// error is an OperationOutcome (https://hl7.org/fhir/R4/operationoutcome.html)
// with the status code the FHIR HTTP specification gives: 404 for unknown
// data stores, resource types and ids, 410 for deleted resources, 400 for
// invalid ids, 405 for other methods and 406 when the client accepts
// neither JSON nor FHIR JSON.
//
// Views (SQL-on-FHIR v2 ViewDefinitions, https://sql-on-fhir.org/ig/latest/)
// are managed under /datastores/{datastore}/views, as plain JSON:
//
//	GET    /datastores/{ds}/views          list (name, resource, rows, default, updated)
//	GET    /datastores/{ds}/views/{name}   the ViewDefinition
//	PUT    /datastores/{ds}/views/{name}   create (201) or replace (200), materialized before the answer
//	DELETE /datastores/{ds}/views/{name}   204, or 404
//	POST   /datastores/{ds}/views/$run     evaluate the posted ViewDefinition without storing it:
//	                                       CSV, NDJSON, JSON or Parquet by _format or Accept; _limit (default 1000)
//
// A ViewDefinition that does not compile is refused with 400 and an
// OperationOutcome naming the column or path at fault.
//
// The package depends only on the small [Datastores], [Reader] and
// [ViewStore] interfaces it defines (*store.Store satisfies Reader and
// [Scanner]); it imports neither engine nor ingest.
package api
