package api

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/store"
)

// maxBody bounds a request body: a transaction Bundle of a whole patient
// history fits several times over.
const maxBody = 64 << 20

// writable returns the data store of the request if it takes writes, or
// answers 404/405.
func (h *handler) writable(w http.ResponseWriter, r *http.Request) (Store, bool) {
	rd, ok := h.lookup(w, r)
	if !ok {
		return nil, false
	}
	st, ok := rd.(Store)
	if !ok {
		writeOutcome(w, r, http.StatusMethodNotAllowed, "not-supported",
			fmt.Sprintf("data store %q is read-only", r.PathValue("datastore")))
	}
	return st, ok
}

// readBody reads a JSON request body, checking its Content-Type: JSON is
// taken (or no Content-Type); XML and anything else get 415.
func readBody(w http.ResponseWriter, r *http.Request, accept ...string) ([]byte, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		ok := err == nil && (jsonTypes[mt] || len(accept) > 0 && contains(accept, mt))
		if !ok {
			msg := fmt.Sprintf("Content-Type %q is not supported; send application/fhir+json", ct)
			if strings.Contains(mt, "xml") {
				msg = fmt.Sprintf("Content-Type %q: this server takes FHIR resources as JSON only (application/fhir+json), not XML", ct)
			}
			if len(accept) > 0 {
				msg += " or " + strings.Join(accept, ", ")
			}
			writeOutcome(w, r, http.StatusUnsupportedMediaType, "not-supported", msg)
			return nil, false
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeOutcome(w, r, http.StatusRequestEntityTooLarge, "too-costly",
				fmt.Sprintf("request body is larger than %d MiB", maxBody>>20))
			return nil, false
		}
		writeOutcome(w, r, http.StatusBadRequest, "invalid", "reading the request body: "+err.Error())
		return nil, false
	}
	return body, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkResource parses body as a resource of type typ and validates it.
// It returns the members, or a status and the issues to answer with.
func (h *handler) checkResource(body []byte, typ, where string) ([]member, int, []fhir.Issue) {
	ms, err := objectMembers(body)
	if err != nil {
		return nil, http.StatusBadRequest, []fhir.Issue{{Severity: "error", Code: "structure",
			Diagnostics: "the " + where + " is not a FHIR resource: " + err.Error()}}
	}
	rt, ok := stringMember(ms, "resourceType")
	switch {
	case !ok:
		return nil, http.StatusBadRequest, []fhir.Issue{{Severity: "error", Code: "structure",
			Diagnostics: "the " + where + " has no resourceType"}}
	case typ != "" && rt != typ:
		return nil, http.StatusBadRequest, []fhir.Issue{{Severity: "error", Code: "invalid",
			Diagnostics: fmt.Sprintf("the %s is a %s, but the URL names %s", where, rt, typ)}}
	case !fhir.IsResourceType(rt):
		return nil, http.StatusBadRequest, []fhir.Issue{{Severity: "error", Code: "not-supported",
			Diagnostics: fmt.Sprintf("resourceType %q is not a FHIR R4 resource type", rt)}}
	}
	if h.opts.Validate != nil {
		if issues := h.opts.Validate(body); len(issues) > 0 {
			return nil, http.StatusUnprocessableEntity, issues
		}
	}
	return ms, 0, nil
}

// newID returns a server-assigned id: a random UUID (RFC 9562 version 4).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// applyOps commits ops and reports the data store changed. It answers
// the errors itself and returns false on one.
func (h *handler) applyOps(w http.ResponseWriter, r *http.Request, st Store, ops []store.Op) ([]store.Result, bool) {
	res, err := st.Apply(r.Context(), ops)
	if err != nil {
		h.writeApplyError(w, r, err)
		return nil, false
	}
	h.changed(r)
	return res, true
}

// changed tells the owner of the server that a data store has new
// versions.
func (h *handler) changed(r *http.Request) {
	if h.opts.Changed != nil {
		h.opts.Changed(r.PathValue("datastore"))
	}
}

// writeApplyError answers a failed Apply.
func (h *handler) writeApplyError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrConflict):
		writeOutcome(w, r, http.StatusPreconditionFailed, "conflict", trimStorePrefix(err))
	case errors.Is(err, store.ErrInvalid):
		writeOutcome(w, r, http.StatusBadRequest, "invalid", trimStorePrefix(err))
	case errors.Is(err, errForbidden):
		forbid(w, r, strings.TrimPrefix(err.Error(), errForbidden.Error()+": "))
	default:
		h.serverError(w, r, err)
	}
}

// trimStorePrefix drops the package prefixes from a store error, which a
// client has no use for.
func trimStorePrefix(err error) string {
	s := err.Error()
	for _, p := range []string{"store: apply: ", "store: version conflict: ", "store: invalid resource: ", "store: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	return s
}

// ifMatch reads the If-Match header: 0 if absent.
func ifMatch(w http.ResponseWriter, r *http.Request) (int64, bool) {
	v := r.Header.Get("If-Match")
	if v == "" {
		return 0, true
	}
	n, err := parseETag(v)
	if err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", "If-Match: "+err.Error())
		return 0, false
	}
	return n, true
}

// writeIssues answers with an OperationOutcome of issues.
func writeIssues(w http.ResponseWriter, r *http.Request, status int, issues []fhir.Issue) {
	writeFHIR(w, r, status, issuesOutcome(issues))
}

// create serves POST /fhir/{datastore}/{type}
// (https://hl7.org/fhir/R4/http.html#create), with If-None-Exist.
func (h *handler) create(w http.ResponseWriter, r *http.Request, st Store, typ string) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	ms, status, issues := h.checkResource(body, typ, "request body")
	if status != 0 {
		writeIssues(w, r, status, issues)
		return
	}
	if cond := r.Header.Get("If-None-Exist"); cond != "" {
		q, err := parseCriteria(strings.TrimPrefix(cond, typ+"?"))
		if err != nil {
			writeOutcome(w, r, http.StatusBadRequest, "invalid", "If-None-Exist: "+err.Error())
			return
		}
		h.condMu.Lock()
		defer h.condMu.Unlock()
		ids, err := match(r.Context(), st, typ, q)
		if h.criteriaError(w, r, "If-None-Exist", err) {
			return
		}
		switch len(ids) {
		case 0:
		case 1:
			res, err := st.Read(r.Context(), typ, ids[0])
			if err != nil {
				h.serverError(w, r, err)
				return
			}
			writeWritten(w, r, http.StatusOK, res, fmt.Sprintf("%s/%s already matches If-None-Exist; nothing was created", typ, res.ID))
			return
		default:
			writeOutcome(w, r, http.StatusPreconditionFailed, "multiple-matches",
				fmt.Sprintf("If-None-Exist %q matches %d resources", cond, len(ids)))
			return
		}
	}
	id := newID()
	res, ok := h.applyOps(w, r, st, []store.Op{{Type: typ, ID: id, Body: withID(ms, id), IfAbsent: true}})
	if !ok {
		return
	}
	writeWritten(w, r, http.StatusCreated, res[0].Resource, fmt.Sprintf("created %s/%s", typ, id))
}

// criteriaError answers a failed match; it returns false if err is nil.
func (h *handler) criteriaError(w http.ResponseWriter, r *http.Request, what string, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, errCriteria):
		writeOutcome(w, r, http.StatusBadRequest, "not-supported", what+": "+err.Error())
	default:
		h.serverError(w, r, err)
	}
	return true
}

// update serves PUT /fhir/{datastore}/{type}/{id}
// (https://hl7.org/fhir/R4/http.html#update), creating the resource if it
// does not exist, version-aware with If-Match.
func (h *handler) update(w http.ResponseWriter, r *http.Request, st Store, typ, id string) {
	version, ok := ifMatch(w, r)
	if !ok {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	ms, status, issues := h.checkResource(body, typ, "request body")
	if status != 0 {
		writeIssues(w, r, status, issues)
		return
	}
	bid, has := stringMember(ms, "id")
	if !has || bid != id {
		writeOutcome(w, r, http.StatusBadRequest, "invalid",
			fmt.Sprintf("the resource's id (%q) must equal the id in the URL (%q)", bid, id))
		return
	}
	h.put(w, r, st, typ, id, body, version)
}

// put writes body as the next version of typ/id and answers 201 or 200.
func (h *handler) put(w http.ResponseWriter, r *http.Request, st Store, typ, id string, body []byte, version int64) {
	res, ok := h.applyOps(w, r, st, []store.Op{{Type: typ, ID: id, Body: body, IfMatch: version}})
	if !ok {
		return
	}
	status := http.StatusOK
	if res[0].Outcome == store.Created {
		status = http.StatusCreated
	}
	writeWritten(w, r, status, res[0].Resource, fmt.Sprintf("%s %s/%s (version %d)", res[0].Outcome, typ, id, res[0].Resource.Version))
}

// conditionalUpdate serves PUT /fhir/{datastore}/{type}?criteria.
func (h *handler) conditionalUpdate(w http.ResponseWriter, r *http.Request, st Store, typ string) {
	q, err := parseCriteria(r.URL.RawQuery)
	if err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", "conditional update: "+err.Error())
		return
	}
	version, ok := ifMatch(w, r)
	if !ok {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	ms, status, issues := h.checkResource(body, typ, "request body")
	if status != 0 {
		writeIssues(w, r, status, issues)
		return
	}
	h.condMu.Lock()
	defer h.condMu.Unlock()
	ids, err := match(r.Context(), st, typ, q)
	if h.criteriaError(w, r, "conditional update", err) {
		return
	}
	bid, has := stringMember(ms, "id")
	var id string
	switch len(ids) {
	case 0:
		id = bid
		if !has {
			id = newID()
		}
	case 1:
		id = ids[0]
		if has && bid != id {
			writeOutcome(w, r, http.StatusBadRequest, "invalid",
				fmt.Sprintf("the criteria match %s/%s, but the resource's id is %q", typ, id, bid))
			return
		}
	default:
		writeOutcome(w, r, http.StatusPreconditionFailed, "multiple-matches",
			fmt.Sprintf("the criteria %q match %d resources", r.URL.RawQuery, len(ids)))
		return
	}
	if !fhir.ValidID(id) {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", fmt.Sprintf("invalid id %q", id))
		return
	}
	h.put(w, r, st, typ, id, withID(ms, id), version)
}

// remove serves DELETE /fhir/{datastore}/{type}/{id}
// (https://hl7.org/fhir/R4/http.html#delete): a versioned tombstone.
func (h *handler) remove(w http.ResponseWriter, r *http.Request, st Store, typ, id string) {
	version, ok := ifMatch(w, r)
	if !ok {
		return
	}
	res, ok := h.applyOps(w, r, st, []store.Op{{Type: typ, ID: id, Delete: true, IfMatch: version}})
	if !ok {
		return
	}
	h.writeDeleted(w, r, typ, id, res[0])
}

// writeDeleted answers a delete: 200 with an OperationOutcome (or 204
// with Prefer: return=minimal); 404 if the resource never existed.
func (h *handler) writeDeleted(w http.ResponseWriter, r *http.Request, typ, id string, res store.Result) {
	if res.Resource.Version == 0 {
		writeOutcome(w, r, http.StatusNotFound, "not-found",
			fmt.Sprintf("%s/%s is not known in data store %q", typ, id, r.PathValue("datastore")))
		return
	}
	setVersionHeaders(w, res.Resource)
	if preferredReturn(r) == returnMinimal {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	msg := fmt.Sprintf("deleted %s/%s (version %d)", typ, id, res.Resource.Version)
	if res.Outcome == store.Unchanged {
		msg = fmt.Sprintf("%s/%s was already deleted (version %d)", typ, id, res.Resource.Version)
	}
	writeFHIR(w, r, http.StatusOK, fhir.NewOutcome("information", "informational", msg).JSON())
}

// conditionalDelete serves DELETE /fhir/{datastore}/{type}?criteria: no
// match is a success, one match is deleted, several are 412.
func (h *handler) conditionalDelete(w http.ResponseWriter, r *http.Request, st Store, typ string) {
	q, err := parseCriteria(r.URL.RawQuery)
	if err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", "conditional delete: "+err.Error())
		return
	}
	h.condMu.Lock()
	defer h.condMu.Unlock()
	ids, err := match(r.Context(), st, typ, q)
	if h.criteriaError(w, r, "conditional delete", err) {
		return
	}
	switch len(ids) {
	case 0:
		if preferredReturn(r) == returnMinimal {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeFHIR(w, r, http.StatusOK, fhir.NewOutcome("information", "not-found",
			fmt.Sprintf("no %s matches %q; nothing was deleted", typ, r.URL.RawQuery)).JSON())
	case 1:
		res, ok := h.applyOps(w, r, st, []store.Op{{Type: typ, ID: ids[0], Delete: true}})
		if ok {
			h.writeDeleted(w, r, typ, ids[0], res[0])
		}
	default:
		writeOutcome(w, r, http.StatusPreconditionFailed, "multiple-matches",
			fmt.Sprintf("the criteria %q match %d resources; a conditional delete removes one", r.URL.RawQuery, len(ids)))
	}
}
