package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/fhirlake/fhirlake/access"
	"github.com/fhirlake/fhirlake/auth/smart"
	"github.com/fhirlake/fhirlake/export"
	"github.com/fhirlake/fhirlake/fhir"
)

// routeKind marks the requests whose authorization needs more than a role
// and a scope on one type.
type routeKind int

const (
	kindPlain        routeKind = iota
	kindSystemSearch           // GET /fhir/ds?_type=…
	kindBatch                  // POST /fhir/ds: each entry is checked as its own request
	kindHistoryAll             // system or type history
	kindEverything             // Patient/{id}/$everything
	kindExport                 // $export kick-off, status and files
	kindCompartment            // /Patient/{id}/{type}
	kindRoles                  // needs fhirlake roles: views, imports, administration
)

// exportActions allow the $export routes. sql-deid (deid-analyst, and
// analyst) reaches them only for de-identified exports: see deidExport.
var exportActions = []access.Action{access.FHIRExport, access.SQLDeid}

// need is what a request requires of its caller.
type need struct {
	ds string
	// anyOf lists the actions of which the caller's roles must allow one.
	anyOf []access.Action
	// inter and typ are the SMART interaction and resource type, when
	// the request is one interaction on one type.
	inter smart.Interaction
	typ   string
	// id is the instance named by the path; ctype/cid the compartment of
	// a compartment search.
	id         string
	ctype, cid string
	kind       routeKind
}

// classify returns what r requires. Unknown paths need manage on their
// data store, so nothing unlisted is open by accident; the handler then
// answers 404 to those who may ask.
func classify(r *http.Request) need {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	m := r.Method
	if m == http.MethodHead {
		m = http.MethodGet
	}
	get := m == http.MethodGet
	switch {
	case len(parts) >= 1 && parts[0] == "admin":
		return need{ds: access.AllDatastores, anyOf: []access.Action{access.Manage}, kind: kindRoles}
	case len(parts) >= 2 && parts[0] == "datastores":
		n := need{ds: parts[1], kind: kindRoles, anyOf: []access.Action{access.Manage}}
		rest := parts[2:]
		switch {
		case len(rest) == 0:
		case rest[0] == "views" && len(rest) == 2 && rest[1] == "$run":
			n.anyOf = []access.Action{access.FHIRRead}
		case rest[0] == "views" && get:
			n.anyOf = []access.Action{access.FHIRRead, access.SQLViews}
		case rest[0] == "$import" || rest[0] == "imports":
			n.anyOf = []access.Action{access.FHIRImport}
		}
		return n
	case len(parts) < 2 || parts[0] != "fhir":
		return need{ds: access.AllDatastores, anyOf: []access.Action{access.Manage}, kind: kindRoles}
	}
	ds, rest := parts[1], parts[2:]
	read := need{ds: ds, anyOf: []access.Action{access.FHIRRead}}
	switch {
	case len(rest) == 0 && get:
		return need{ds: ds, anyOf: []access.Action{access.FHIRSearch}, kind: kindSystemSearch}
	case len(rest) == 0:
		return need{ds: ds, anyOf: []access.Action{access.FHIRRead, access.FHIRSearch, access.FHIRWrite}, kind: kindBatch}
	case rest[0] == "_history":
		read.kind = kindHistoryAll
		return read
	case strings.HasPrefix(rest[0], "$export"):
		return need{ds: ds, anyOf: exportActions, kind: kindExport}
	case strings.HasPrefix(rest[0], "$import"):
		return need{ds: ds, anyOf: []access.Action{access.FHIRImport}, kind: kindRoles}
	case strings.HasPrefix(rest[0], "$"):
		return read
	}
	typ := rest[0]
	write := func(in smart.Interaction) need {
		return need{ds: ds, anyOf: []access.Action{access.FHIRWrite}, inter: in, typ: typ}
	}
	if len(rest) == 1 {
		switch m {
		case http.MethodGet:
			return need{ds: ds, anyOf: []access.Action{access.FHIRSearch}, inter: smart.Search, typ: typ}
		case http.MethodPost:
			return write(smart.Create)
		case http.MethodDelete:
			return write(smart.Delete)
		}
		return write(smart.Update)
	}
	switch sub := rest[1]; {
	case sub == "_search":
		return need{ds: ds, anyOf: []access.Action{access.FHIRSearch}, inter: smart.Search, typ: typ}
	case sub == "_history":
		return need{ds: ds, anyOf: []access.Action{access.FHIRRead}, inter: smart.History, typ: typ, kind: kindHistoryAll}
	case sub == "$export":
		return need{ds: ds, anyOf: exportActions, kind: kindExport}
	case strings.HasPrefix(sub, "$"):
		// Type operations ($validate): they read nothing stored.
		return need{ds: ds, anyOf: []access.Action{access.FHIRRead, access.FHIRWrite}, inter: smart.Read, typ: typ}
	}
	id := rest[1]
	if len(rest) == 2 {
		switch m {
		case http.MethodGet:
			return need{ds: ds, anyOf: []access.Action{access.FHIRRead}, inter: smart.Read, typ: typ, id: id}
		case http.MethodDelete:
			n := write(smart.Delete)
			n.id = id
			return n
		}
		n := write(smart.Update)
		n.id = id
		return n
	}
	switch op := rest[2]; {
	case op == "_history" && len(rest) == 3:
		return need{ds: ds, anyOf: []access.Action{access.FHIRRead}, inter: smart.History, typ: typ, id: id}
	case op == "_history":
		return need{ds: ds, anyOf: []access.Action{access.FHIRRead}, inter: smart.VRead, typ: typ, id: id}
	case op == "$everything":
		return need{ds: ds, anyOf: []access.Action{access.FHIRRead}, typ: typ, id: id, kind: kindEverything}
	case op == "$export":
		return need{ds: ds, anyOf: exportActions, kind: kindExport}
	case fhir.IsResourceType(op):
		return need{ds: ds, anyOf: []access.Action{access.FHIRSearch}, inter: smart.Search, typ: op, ctype: typ, cid: id, kind: kindCompartment}
	}
	return need{ds: ds, anyOf: []access.Action{access.FHIRRead}, inter: smart.Read, typ: typ, id: id}
}

// restriction is what a search or read of the request must add: the
// patient compartment and scope filters of the caller's SMART decision.
type restriction struct {
	patient string
	filters []smart.Filter
}

type restrictionKey struct{}

// restrictionOf returns the request's restriction (zero: none).
func restrictionOf(ctx context.Context) restriction {
	rs, _ := ctx.Value(restrictionKey{}).(restriction)
	return rs
}

// authorize checks the caller of r against what r needs, answering 403
// (or 404 for a data store the caller has no role on) itself. It returns
// the request carrying the restriction its handler must apply.
func (h *handler) authorize(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	c, ok := callerOf(r.Context())
	if !ok || publicPath(r) {
		return r, true
	}
	n := classify(r)
	allowed, why := false, ""
	var by access.Action
	roles, model, err := c.rolesOn(n.ds)
	if err != nil {
		h.serverError(w, r, fmt.Errorf("api: roles of %s on %s: %w", c.Name, n.ds, err))
		return r, false
	}
	noteRoles(r, roles)
	for _, a := range n.anyOf {
		ok, reason := c.allows(roles, model, n.ds, a)
		if ok {
			allowed, by = true, a
			break
		}
		if why == "" {
			why = reason
		}
	}
	if !allowed {
		forbid(w, r, why)
		return r, false
	}
	if n.kind == kindExport && by == access.SQLDeid {
		if r, ok = deidExport(w, r); !ok {
			return r, false
		}
	}
	if c.SMART == nil {
		return r, true
	}
	rs, msg := smartCheck(c, n, r)
	if msg != "" {
		forbid(w, r, msg)
		return r, false
	}
	if rs.patient == "" && len(rs.filters) == 0 {
		return r, true
	}
	return r.WithContext(context.WithValue(r.Context(), restrictionKey{}, rs)), true
}

// deidExport is the de-identified export rule for a caller allowed the
// $export routes by sql-deid only (not fhir-export): a kick-off must ask
// for _deid=safe-harbor in its URL, and the export package is told
// (export.WithDeidOnly) to show the caller de-identified jobs only.
func deidExport(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	last := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	if last == "$export" && r.URL.Query().Get("_deid") != export.DeidSafeHarbor {
		forbid(w, r, "your role may run de-identified bulk exports only: add _deid="+export.DeidSafeHarbor+" to the kick-off URL")
		return r, false
	}
	return r.WithContext(export.WithDeidOnly(r.Context())), true
}

// smartCheck applies the caller's scopes to the request: the refusal
// message, or the restriction to apply.
func smartCheck(c Caller, n need, r *http.Request) (restriction, string) {
	p := c.SMART
	switch n.kind {
	case kindRoles:
		if c.Roles == nil {
			return restriction{}, "an OAuth token's scopes do not reach views, imports or administration"
		}
		return restriction{}, ""
	case kindBatch:
		return restriction{}, "" // each entry is authorized as its own request
	case kindHistoryAll:
		if n.typ == "" {
			return restriction{}, "a SMART token cannot read the whole data store's history; ask for one type's or one resource's"
		}
		d := p.Allows(smart.History, n.typ)
		if !d.Allowed {
			return restriction{}, d.Reason
		}
		if d.Patient != "" || len(d.Filters) > 0 {
			return restriction{}, "a patient-level or filtered scope cannot read a whole type's history; read each resource's history"
		}
		return restriction{}, ""
	case kindSystemSearch:
		types := typeParam(r)
		if len(types) == 0 {
			return restriction{}, "a SMART token must name the types of a system-level search with _type"
		}
		for _, t := range types {
			d := p.Allows(smart.Search, t)
			if !d.Allowed {
				return restriction{}, d.Reason
			}
			if d.Patient != "" || len(d.Filters) > 0 {
				return restriction{}, "a patient-level or filtered scope cannot search across types; search each type"
			}
		}
		return restriction{}, ""
	case kindExport:
		types := typeParam(r)
		if len(types) == 0 {
			types = fhir.ResourceTypes()
		}
		for _, t := range types {
			d := smart.Intersect(p.Allows(smart.Read, t), p.Allows(smart.Search, t))
			if !d.Allowed {
				return restriction{}, fmt.Sprintf("a bulk export needs read and search on every type it exports (%s); name the allowed ones with _type", d.Reason)
			}
			if d.Patient != "" || len(d.Filters) > 0 {
				return restriction{}, "a patient-level or filtered scope cannot run a bulk export"
			}
		}
		return restriction{}, ""
	case kindEverything:
		d := smart.Intersect(p.Allows(smart.Read, "Patient"), p.Allows(smart.Search, "Patient"))
		if !d.Allowed {
			return restriction{}, d.Reason
		}
		if d.Patient != "" && d.Patient != n.id {
			return restriction{}, "the token's patient context is another patient"
		}
		// The resources of other types are filtered one by one as they
		// are read (guardedStore).
		return restriction{patient: d.Patient}, ""
	}
	if n.inter == 0 {
		return restriction{}, ""
	}
	d := c.decide(n.inter, n.typ)
	if !d.Allowed {
		return restriction{}, d.Reason
	}
	rs := restriction{patient: d.Patient, filters: d.Filters}
	if n.kind == kindCompartment && d.Patient != "" && (n.ctype != "Patient" || n.cid != d.Patient) {
		return restriction{}, "the token's patient context is another patient"
	}
	return rs, ""
}

// typeParam returns the types of a _type parameter.
func typeParam(r *http.Request) []string {
	var out []string
	for _, v := range r.URL.Query()["_type"] {
		for t := range strings.SplitSeq(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}
