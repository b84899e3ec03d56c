package export

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/store"
)

// kickoff returns the kick-off handler of an export level: it validates
// the request, starts a job and answers 202 with the status URL in
// Content-Location. Prefer: respond-async and Accept: application/fhir+json
// are expected but not required.
func (h *handlers) kickoff(level string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ds, src, ok := h.source(w, r)
		if !ok {
			return
		}
		h.m.ensureLoaded(ds) // before the new job's folder exists
		k, err := readKickoff(r, level)
		if err == nil && k.deid != "" && h.m.opts.DeidKey == nil {
			err = &paramError{"_deid: this server has no de-identification configured"}
		}
		if err != nil {
			h.badRequest(w, r, err)
			return
		}
		if k.deid == "" && deidOnly(r.Context()) {
			writeError(w, r, http.StatusForbidden, "forbidden",
				"your role may run de-identified exports only: add _deid="+DeidSafeHarbor+" to the kick-off URL")
			return
		}
		var members map[string]bool
		if level == levelGroup {
			if members, ok = h.group(w, r, src); !ok {
				return
			}
		}
		j, err := h.m.newJob(r, ds, level, k, members)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		h.submit(w, r, src, j)
	}
}

// readKickoff reads and validates the parameters of a kick-off request.
func readKickoff(r *http.Request, level string) (kickoff, error) {
	params := queryParams(r)
	if r.Method == http.MethodPost {
		var err error
		if params, err = bodyParams(r); err != nil {
			return kickoff{}, err
		}
	}
	strict := preferences(r)
	k, err := parseKickoff(params, level, strict)
	if err != nil || level == levelSystem || k.types == nil {
		return k, err
	}
	kept := make([]string, 0, len(k.types)) // non-nil: none left exports nothing
	for _, t := range k.types {
		if inCompartmentTypes(t) {
			kept = append(kept, t)
			continue
		}
		msg := "_type " + t + " has no resources in a patient compartment"
		if strict {
			return kickoff{}, &paramError{msg + " (Prefer: handling=strict)"}
		}
		k.warnings = append(k.warnings, msg+"; it was ignored")
	}
	k.types = kept
	return k, nil
}

// badRequest sends 400 for a *paramError, 500 for anything else.
func (h *handlers) badRequest(w http.ResponseWriter, r *http.Request, err error) {
	var pe *paramError
	if errors.As(err, &pe) {
		writeError(w, r, http.StatusBadRequest, "invalid", pe.msg)
		return
	}
	h.serverError(w, r, err)
}

// serverError logs err and sends a 500 OperationOutcome that does not
// reveal it.
func (h *handlers) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.m.log.LogAttrs(r.Context(), slog.LevelWarn, "export: request failed",
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	writeError(w, r, http.StatusInternalServerError, "exception", "internal error; see the server log")
}

// group resolves the members of the request's Group, or sends 404 if
// there is no such Group.
func (h *handlers) group(w http.ResponseWriter, r *http.Request, src Source) (map[string]bool, bool) {
	id := r.PathValue("id")
	if !fhir.ValidID(id) {
		writeError(w, r, http.StatusNotFound, "not-found", "no Group with id "+strconv.Quote(id))
		return nil, false
	}
	members, err := groupMembers(r.Context(), src, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, r, http.StatusNotFound, "not-found", "Group/"+id+" is not known")
		return nil, false
	case errors.Is(err, store.ErrDeleted):
		writeError(w, r, http.StatusNotFound, "deleted", "Group/"+id+" was deleted")
		return nil, false
	case err != nil:
		h.serverError(w, r, err)
		return nil, false
	}
	return members, true
}

// newJob creates the folder and record of a queued job.
func (m *Manager) newJob(r *http.Request, ds, level string, k kickoff, members map[string]bool) (*job, error) {
	id := newJobID()
	dir := filepath.Join(m.exportsDir(ds), id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("export: job %s: %w", id, err)
	}
	rec := record{
		ID: id, Datastore: ds, Level: level,
		Request: origin(r) + r.URL.RequestURI(),
		Base:    dsBase(r, ds),
		Types:   k.types, Since: k.since, Patients: k.patients, Deid: k.deid,
		Warnings: k.warnings, State: stateQueued,
	}
	if level == levelGroup {
		rec.Group = r.PathValue("id")
	}
	if err := writeRecord(dir, rec); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	for _, w := range k.warnings {
		m.log.Info("export: ignoring parameter", slog.String("job", id), slog.String("warning", w))
	}
	j := newJob(dir, rec)
	j.members = members
	return j, nil
}

// submit starts j and answers the kick-off: 202, or 429 when too many
// jobs are pending.
func (h *handlers) submit(w http.ResponseWriter, r *http.Request, src Source, j *job) {
	status := statusURL(j.rec) // before start, which shares j
	err := h.m.start(src, j)
	if err != nil {
		_ = os.RemoveAll(j.dir)
	}
	switch {
	case errors.Is(err, errTooMany):
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(h.m.opts.RetryAfter)*5))
		writeError(w, r, http.StatusTooManyRequests, "too-costly",
			"too many export jobs are pending ("+strconv.Itoa(h.m.opts.MaxPending)+"); retry later")
		return
	case errors.Is(err, errClosed):
		writeError(w, r, http.StatusServiceUnavailable, "transient", "the server is shutting down")
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Location", status)
	writeOutcome(w, r, http.StatusAccepted, "information", "informational",
		"export job "+j.id+" accepted; poll "+status)
}

// statusURL returns the absolute status URL of a job.
func statusURL(rec record) string {
	return rec.Base + "/$export-status/" + rec.ID
}
