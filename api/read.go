package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/fhir/r4"
	"github.com/fhirlake/fhirlake/store"
)

// methodNotAllowed answers 405 with the Allow header.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow ...string) {
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeOutcome(w, r, http.StatusMethodNotAllowed, "not-supported",
		fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
}

// checkType answers 404 for a type that is not an R4 resource type.
func checkType(w http.ResponseWriter, r *http.Request, typ string) bool {
	if fhir.IsResourceType(typ) {
		return true
	}
	writeOutcome(w, r, http.StatusNotFound, "not-supported",
		fmt.Sprintf("resource type %q is not supported: it is not a FHIR R4 resource type", typ))
	return false
}

// checkID answers 400 for an invalid id.
func checkID(w http.ResponseWriter, r *http.Request, id string) bool {
	if fhir.ValidID(id) {
		return true
	}
	writeOutcome(w, r, http.StatusBadRequest, "invalid",
		fmt.Sprintf("invalid id %q: a FHIR id is 1 to 64 characters from A-Z, a-z, 0-9, '-' and '.'", id))
	return false
}

// instance serves /fhir/{datastore}/{type}/{id}: read, update, patch and
// delete.
func (h *handler) instance(w http.ResponseWriter, r *http.Request) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if id == "_history" {
		h.historyRoute(w, r)
		return
	}
	if id == "_search" && h.opts.Searcher != nil {
		if r.Method != http.MethodPost {
			methodNotAllowed(w, r, "POST")
			return
		}
		if negotiate(w, r) && checkType(w, r, typ) {
			h.searchType(w, r, typ)
		}
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.read(w, r)
		return
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		methodNotAllowed(w, r, "GET", "HEAD", "PUT", "PATCH", "DELETE")
		return
	}
	if !negotiate(w, r) || !checkType(w, r, typ) || !checkID(w, r, id) {
		return
	}
	st, ok := h.writable(w, r)
	if !ok {
		return
	}
	switch r.Method {
	case http.MethodPut:
		h.update(w, r, st, typ, id)
	case http.MethodPatch:
		h.patch(w, r, st, typ, id)
	default:
		h.remove(w, r, st, typ, id)
	}
}

// typeLevel serves /fhir/{datastore}/{type}: create, conditional update
// and conditional delete.
func (h *handler) typeLevel(w http.ResponseWriter, r *http.Request) {
	typ := r.PathValue("type")
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodDelete:
	case http.MethodGet, http.MethodHead:
		if h.opts.Searcher != nil {
			if negotiate(w, r) && checkType(w, r, typ) {
				h.searchType(w, r, typ)
			}
			return
		}
		fallthrough
	default:
		allow := []string{"POST", "PUT", "DELETE"}
		if h.opts.Searcher != nil {
			allow = append([]string{"GET", "HEAD"}, allow...)
		}
		methodNotAllowed(w, r, allow...)
		return
	}
	if !negotiate(w, r) || !checkType(w, r, typ) {
		return
	}
	st, ok := h.writable(w, r)
	if !ok {
		return
	}
	switch r.Method {
	case http.MethodPost:
		h.create(w, r, st, typ)
	case http.MethodPut:
		h.conditionalUpdate(w, r, st, typ)
	default:
		h.conditionalDelete(w, r, st, typ)
	}
}

// instanceOp serves /fhir/{datastore}/{type}/{id}/{op}: instance
// _history, and compartment search when op is a resource type.
func (h *handler) instanceOp(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("op") == "$everything" && r.PathValue("type") == "Patient" && h.opts.Searcher != nil {
		if allowRead(w, r) && negotiate(w, r) && checkID(w, r, r.PathValue("id")) {
			h.everything(w, r, r.PathValue("id"))
		}
		return
	}
	if op := r.PathValue("op"); fhir.IsResourceType(op) && h.opts.Searcher != nil {
		// Compartment search: /Patient/123/Observation.
		typ, id := r.PathValue("type"), r.PathValue("id")
		if allowRead(w, r) && negotiate(w, r) && checkType(w, r, typ) && checkID(w, r, id) {
			h.searchIn(w, r, op, typ, id)
		}
		return
	}
	if r.PathValue("op") != "_history" {
		h.notFound(w, r)
		return
	}
	h.historyRoute(w, r)
}

// historyRoute serves the three _history levels and vread.
func (h *handler) historyRoute(w http.ResponseWriter, r *http.Request) {
	if !allowRead(w, r) || !negotiate(w, r) {
		return
	}
	typ, id, vid := r.PathValue("type"), r.PathValue("id"), r.PathValue("vid")
	if id == "_history" {
		id = "" // type level: /{type}/_history
	}
	if typ != "" && !checkType(w, r, typ) || id != "" && !checkID(w, r, id) {
		return
	}
	st, ok := h.writable(w, r)
	if !ok {
		return
	}
	if vid != "" {
		h.vread(w, r, st, typ, id, vid)
		return
	}
	h.history(w, r, st, typ, id)
}

// read serves GET /fhir/{datastore}/{type}/{id}
// (https://hl7.org/fhir/R4/http.html#read).
func (h *handler) read(w http.ResponseWriter, r *http.Request) {
	if !allowRead(w, r) || !negotiate(w, r) {
		return
	}
	rd, ok := h.lookup(w, r)
	if !ok {
		return
	}
	typ, id := r.PathValue("type"), r.PathValue("id")
	if !checkType(w, r, typ) || !checkID(w, r, id) {
		return
	}
	res, err := rd.Read(r.Context(), typ, id)
	switch {
	case errors.Is(err, store.ErrDeleted):
		setVersionHeaders(w, res)
		writeOutcome(w, r, http.StatusGone, "deleted",
			fmt.Sprintf("%s/%s was deleted (version %d)", typ, id, res.Version))
	case errors.Is(err, store.ErrNotFound):
		writeOutcome(w, r, http.StatusNotFound, "not-found",
			fmt.Sprintf("%s/%s is not known in data store %q", typ, id, r.PathValue("datastore")))
	case errors.Is(err, store.ErrInvalid):
		writeOutcome(w, r, http.StatusBadRequest, "invalid", err.Error())
	case err != nil:
		h.serverError(w, r, err)
	default:
		h.writeRead(w, r, res)
	}
}

// writeRead answers a read or vread of res: 304 when If-None-Match or
// If-Modified-Since say the client has it, otherwise the resource.
func (h *handler) writeRead(w http.ResponseWriter, r *http.Request, res store.Resource) {
	setVersionHeaders(w, res)
	if notModified(r, res) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, err := shape(r, res.Body)
	if err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	writeFHIR(w, r, http.StatusOK, body)
}

// shape applies _summary and _elements to a resource read
// (https://hl7.org/fhir/R4/search.html#summary).
func shape(r *http.Request, body []byte) ([]byte, error) {
	q := r.URL.Query()
	if v, ok := q["_summary"]; ok {
		if len(v) != 1 || v[0] == "count" {
			return nil, fmt.Errorf("_summary %q: a read takes true, text, data or false", strings.Join(v, ","))
		}
		out, err := r4.Summarize(body, v[0])
		if err != nil {
			return nil, fmt.Errorf("_summary: %w", err)
		}
		body = out
	}
	if v := q.Get("_elements"); v != "" {
		var names []string
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
		out, err := r4.Elements(body, names)
		if err != nil {
			return nil, fmt.Errorf("_elements: %w", err)
		}
		body = out
	}
	return body, nil
}

// notModified evaluates the conditional read headers
// (https://hl7.org/fhir/R4/http.html#cread); If-None-Match wins over
// If-Modified-Since as in RFC 9110.
func notModified(r *http.Request, res store.Resource) bool {
	if v := r.Header.Get("If-None-Match"); v != "" {
		for _, tag := range strings.Split(v, ",") {
			if strings.TrimSpace(tag) == "*" {
				return true
			}
			if n, err := parseETag(tag); err == nil && n == res.Version {
				return true
			}
		}
		return false
	}
	if v := r.Header.Get("If-Modified-Since"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return false
		}
		// HTTP dates have whole seconds.
		return !res.LastUpdated.Truncate(time.Second).After(t)
	}
	return false
}

// lookup finds the data store named in the path, or sends 404.
func (h *handler) lookup(w http.ResponseWriter, r *http.Request) (Reader, bool) {
	name := r.PathValue("datastore")
	rd, ok := h.ds.Lookup(name)
	if !ok {
		writeOutcome(w, r, http.StatusNotFound, "not-found",
			fmt.Sprintf("data store %q does not exist", name))
		return nil, false
	}
	return guarded(r.Context(), rd), true
}

// setVersionHeaders sets ETag and Last-Modified from a resource version
// (https://hl7.org/fhir/R4/http.html#versioning).
func setVersionHeaders(w http.ResponseWriter, res store.Resource) {
	if res.Version <= 0 {
		return
	}
	w.Header().Set("ETag", `W/"`+strconv.FormatInt(res.Version, 10)+`"`)
	if !res.LastUpdated.IsZero() {
		w.Header().Set("Last-Modified", res.LastUpdated.UTC().Format(http.TimeFormat))
	}
}
