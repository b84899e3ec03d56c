package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/store"
)

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
	if !fhir.IsResourceType(typ) {
		writeOutcome(w, r, http.StatusNotFound, "not-supported",
			fmt.Sprintf("resource type %q is not supported: it is not a FHIR R4 resource type", typ))
		return
	}
	if !fhir.ValidID(id) {
		writeOutcome(w, r, http.StatusBadRequest, "invalid",
			fmt.Sprintf("invalid id %q: a FHIR id is 1 to 64 characters from A-Z, a-z, 0-9, '-' and '.'", id))
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
		setVersionHeaders(w, res)
		writeJSON(w, r, http.StatusOK, res.Body)
	}
}

// lookup finds the data store named in the path, or sends 404.
func (h *handler) lookup(w http.ResponseWriter, r *http.Request) (Reader, bool) {
	name := r.PathValue("datastore")
	rd, ok := h.ds.Lookup(name)
	if !ok {
		writeOutcome(w, r, http.StatusNotFound, "not-found",
			fmt.Sprintf("data store %q does not exist", name))
	}
	return rd, ok
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
