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
// The package depends only on the small [Datastores] and [Reader]
// interfaces it defines, which *store.Store satisfies; it imports neither
// engine nor ingest.
package api
