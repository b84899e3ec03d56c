package export

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// handlers serves the endpoints of a Manager.
type handlers struct {
	m      *Manager
	lookup func(ds string) (Source, bool)
}

// Routes registers the export endpoints on mux (see the package
// documentation); lookup resolves a data store name to its Source.
//
// Each endpoint is registered once per method (GET, POST, PUT, PATCH,
// DELETE), so the patterns are more specific than, and never conflict
// with, routes such as "/fhir/{datastore}/{type}/{id}" or
// "GET /fhir/{datastore}/{type}/{id}"; a method an endpoint does not
// allow gets 405 with an OperationOutcome.
func (m *Manager) Routes(mux *http.ServeMux, lookup func(ds string) (Source, bool)) {
	h := &handlers{m: m, lookup: lookup}
	handle(mux, "/fhir/{datastore}/$export", h.kickoff(levelSystem), http.MethodGet, http.MethodPost)
	handle(mux, "/fhir/{datastore}/Patient/$export", h.kickoff(levelPatient), http.MethodGet, http.MethodPost)
	handle(mux, "/fhir/{datastore}/Group/{id}/$export", h.kickoff(levelGroup), http.MethodGet, http.MethodPost)
	handle(mux, "/fhir/{datastore}/$export-status/{job}", h.status, http.MethodGet, http.MethodDelete)
	handle(mux, "/fhir/{datastore}/$export-file/{job}/{name}", h.file, http.MethodGet)
}

// routedMethods are the methods each endpoint is registered for.
var routedMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// handle registers fn for pattern, answering 405 to methods other than
// allowed (and HEAD when GET is allowed).
func handle(mux *http.ServeMux, pattern string, fn http.HandlerFunc, allowed ...string) {
	allow := strings.Join(allowed, ", ")
	if slices.Contains(allowed, http.MethodGet) {
		allow += ", HEAD"
	}
	guarded := func(w http.ResponseWriter, r *http.Request) {
		m := r.Method
		if m == http.MethodHead {
			m = http.MethodGet
		}
		if !slices.Contains(allowed, m) {
			w.Header().Set("Allow", allow)
			writeError(w, r, http.StatusMethodNotAllowed, "not-supported",
				"method "+r.Method+" is not supported on "+r.URL.Path+"; allowed: "+allow)
			return
		}
		fn(w, r)
	}
	for _, method := range routedMethods {
		mux.HandleFunc(method+" "+pattern, guarded)
	}
}

// source resolves the request's data store, or sends 404.
func (h *handlers) source(w http.ResponseWriter, r *http.Request) (string, Source, bool) {
	ds := r.PathValue("datastore")
	src, ok := h.lookup(ds)
	if !ok {
		writeError(w, r, http.StatusNotFound, "not-found", "no data store named "+ds)
		return "", nil, false
	}
	return ds, src, true
}

// origin returns scheme://host of the request as the client sent it: https
// when the connection is TLS.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// dsBase returns the absolute URL of data store ds's FHIR endpoint.
func dsBase(r *http.Request, ds string) string {
	return origin(r) + "/fhir/" + url.PathEscape(ds)
}
