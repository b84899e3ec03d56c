package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/fhirlake/fhirlake/audit"
)

// Auditor records an interaction durably before it is answered; package
// audit's *Log is one.
type Auditor interface {
	Append(ctx context.Context, ev audit.Event) (audit.Receipt, error)
}

// maxAuditedRefs bounds the resource ids one event lists (a search page
// of 1,000 with includes); the count is still in Rows.
const maxAuditedRefs = 2000

// auditNotes collects, while a request is served, what its audit event
// needs and the route cannot tell: the resources read or written, and the
// interaction when the body decides it (batch or transaction).
type auditNotes struct {
	mu     sync.Mutex
	refs   []string
	rows   int64
	action string
	caller *Caller
	// roles are the caller's roles on the data store, as authorize read
	// them (nil until then).
	roles []string
}

// noteRoles records the roles the request was authorized with, for its
// audit event.
func noteRoles(r *http.Request, roles []string) {
	if n, _ := r.Context().Value(auditNotesKey{}).(*auditNotes); n != nil {
		n.mu.Lock()
		n.roles = roles
		n.mu.Unlock()
	}
}

// noteActor records who made the request (or tried to) for its audit
// event.
func noteActor(r *http.Request, c Caller) {
	if n, _ := r.Context().Value(auditNotesKey{}).(*auditNotes); n != nil {
		n.mu.Lock()
		n.caller = &c
		n.mu.Unlock()
	}
}

type auditNotesKey struct{}

// noteRefs adds the resources an interaction touched to its audit event.
func noteRefs(r *http.Request, refs ...[2]string) {
	n, _ := r.Context().Value(auditNotesKey{}).(*auditNotes)
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.rows += int64(len(refs))
	for _, ref := range refs {
		if len(n.refs) == maxAuditedRefs {
			break
		}
		n.refs = append(n.refs, ref[0]+"/"+ref[1])
	}
}

// noteAction sets the interaction of the audit event (batch or
// transaction, known from the Bundle).
func noteAction(r *http.Request, action string) {
	if n, _ := r.Context().Value(auditNotesKey{}).(*auditNotes); n != nil {
		n.mu.Lock()
		n.action = action
		n.mu.Unlock()
	}
}

// auditWriter appends the request's audit event when the response starts,
// so no client sees an answer whose record is not in the log. If the log
// cannot take it, the answer is replaced by a 500 OperationOutcome (a
// write already committed stays committed; the client is told it failed
// and may retry, which the conditional interactions make safe).
type auditWriter struct {
	http.ResponseWriter
	h      *handler
	r      *http.Request
	notes  *auditNotes
	done   bool
	failed bool
	status int
}

func (a *auditWriter) WriteHeader(code int) {
	if a.done {
		if !a.failed {
			a.ResponseWriter.WriteHeader(code)
		}
		return
	}
	a.done = true
	a.status = code
	if err := a.append(code); err != nil {
		a.failed = true
		a.h.log.Error("api: audit log refused an event; the interaction is answered 500", "error", err)
		hdr := a.ResponseWriter.Header()
		for k := range hdr {
			delete(hdr, k)
		}
		writeOutcome(a.ResponseWriter, a.r, http.StatusInternalServerError, "exception",
			"the interaction could not be recorded in the audit log, so it is not answered")
		return
	}
	a.ResponseWriter.WriteHeader(code)
}

func (a *auditWriter) Write(p []byte) (int, error) {
	if !a.done {
		a.WriteHeader(http.StatusOK)
	}
	if a.failed {
		return len(p), nil // swallowed: the 500 is the answer
	}
	return a.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (a *auditWriter) Unwrap() http.ResponseWriter { return a.ResponseWriter }

// finish records a request that wrote no response at all.
func (a *auditWriter) finish() {
	if !a.done {
		a.WriteHeader(http.StatusOK)
	}
}

// append builds and appends the request's event.
func (a *auditWriter) append(status int) error {
	r := a.r
	ds, action, ref := auditRoute(r)
	a.notes.mu.Lock()
	refs := append([]string(nil), a.notes.refs...)
	rows := a.notes.rows
	if a.notes.action != "" {
		action = a.notes.action
	}
	actor := audit.Actor{Method: "none"}
	if c := a.notes.caller; c != nil {
		actor = audit.Actor{User: c.Name, Client: c.Client, Method: c.Method, Roles: slices.Clone(a.notes.roles)}
		if c.SMART != nil {
			for _, s := range c.SMART.Scopes {
				actor.Roles = append(actor.Roles, "scope:"+s.String())
			}
		}
	}
	a.notes.mu.Unlock()
	if ref != "" && len(refs) == 0 {
		refs = []string{ref}
	}
	if loc := a.ResponseWriter.Header().Get("Location"); loc != "" && status < 300 {
		if created := locationRef(loc); created != "" && (len(refs) == 0 || refs[0] != created) {
			refs = append([]string{created}, refs...)
		}
	}
	query := r.Method + " " + r.URL.Path
	if r.URL.RawQuery != "" {
		query += "?" + r.URL.RawQuery
	}
	ev := audit.Event{
		Kind: audit.KindFHIR, Source: r.RemoteAddr, Protocol: "http", DataStore: ds, Action: action,
		Resources: refs, Query: query, Rows: rows, RequestID: r.Header.Get("X-Request-Id"),
		Actor:   actor,
		Outcome: audit.HTTPOutcome(status, ""),
	}
	_, err := a.h.opts.Audit.Append(context.WithoutCancel(r.Context()), ev)
	return err
}

// locationRef returns "Type/id" from a Location header
// (…/fhir/ds/Type/id/_history/n), or "".
func locationRef(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, p := range parts {
		if p == "fhir" && i+3 < len(parts) {
			return parts[i+2] + "/" + parts[i+3]
		}
	}
	return ""
}

// auditRoute classifies a request: its data store, its FHIR restful
// interaction code, and the resource its path names ("Type/id"), if any.
func auditRoute(r *http.Request) (ds, action, ref string) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) >= 2 && parts[0] == "datastores" {
		return parts[1], "operation", ""
	}
	if len(parts) < 2 || parts[0] != "fhir" {
		return "", "operation", ""
	}
	ds, rest := parts[1], parts[2:]
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case len(rest) == 0:
		if get {
			return ds, "search-system", ""
		}
		return ds, "batch", "" // the handler notes transaction when it is one
	case rest[0] == "metadata":
		return ds, "capabilities", ""
	case rest[0] == "_history":
		return ds, "history-system", ""
	case strings.HasPrefix(rest[0], "$"):
		return ds, "operation", ""
	case len(rest) == 1:
		switch {
		case get:
			return ds, "search-type", ""
		case r.Method == http.MethodPost:
			return ds, "create", ""
		case r.Method == http.MethodPut:
			return ds, "update", "" // conditional update
		case r.Method == http.MethodDelete:
			return ds, "delete", ""
		}
		return ds, "operation", ""
	case rest[1] == "_search":
		return ds, "search-type", ""
	case rest[1] == "_history":
		return ds, "history-type", ""
	case strings.HasPrefix(rest[1], "$"):
		return ds, "operation", ""
	}
	ref = rest[0] + "/" + rest[1]
	switch {
	case len(rest) >= 4 && rest[2] == "_history":
		return ds, "vread", ref
	case len(rest) == 3 && rest[2] == "_history":
		return ds, "history-instance", ref
	case len(rest) >= 3:
		return ds, "operation", ref
	case get:
		return ds, "read", ref
	case r.Method == http.MethodPut:
		return ds, "update", ref
	case r.Method == http.MethodPatch:
		return ds, "patch", ref
	case r.Method == http.MethodDelete:
		return ds, "delete", ref
	}
	return ds, "operation", ref
}
