package api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/auth/smart"
	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/search"
)

// Searcher runs the SQL plans of package search over a data store's index
// tables; the engine implements it.
type Searcher interface {
	// Search returns one page of the matching ids (limit, offset), and
	// the number of matches when count is set.
	Search(ctx context.Context, ds string, p *search.Plan, limit, offset int, count bool) ([]string, int, error)
	// SearchPage is Search with the cursor of the next page (see
	// search.Plan.Cursor), "" when no match follows the page.
	SearchPage(ctx context.Context, ds string, p *search.Plan, limit, offset int, count bool) (search.Page, error)
	// SearchRefs runs a search.IncludeSQL query: type and id pairs.
	SearchRefs(ctx context.Context, ds, sql string, args []any) ([][2]string, error)
}

// searchType serves GET /fhir/{datastore}/{type}?params and
// POST /fhir/{datastore}/{type}/_search (form-encoded)
// (https://hl7.org/fhir/R4/search.html).
func (h *handler) searchType(w http.ResponseWriter, r *http.Request, typ string) {
	h.searchIn(w, r, typ, "", "")
}

// searchIn serves a search of typ, restricted to the compartment of
// ctype/cid when ctype is set (GET /Patient/123/Observation).
func (h *handler) searchIn(w http.ResponseWriter, r *http.Request, typ, ctype, cid string) {
	rd, ok := h.lookup(w, r)
	if !ok {
		return
	}
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		if ct := mediaTypeOf(r); ct != "application/x-www-form-urlencoded" {
			writeOutcome(w, r, http.StatusUnsupportedMediaType, "not-supported",
				fmt.Sprintf("POST _search takes application/x-www-form-urlencoded, not %q", ct))
			return
		}
		if err := r.ParseForm(); err != nil {
			writeOutcome(w, r, http.StatusBadRequest, "invalid", "the search form cannot be read: "+err.Error())
			return
		}
		params = r.Form
	}
	rs := restrictionOf(r.Context())
	if len(rs.filters) > 0 {
		// A filtered scope (patient/Observation.rs?category=laboratory)
		// becomes criteria of the search, so that totals and pages count
		// only what the caller may see.
		if len(rs.filters) > 1 {
			forbid(w, r, "the token's scopes allow this type only through several filters, which a search cannot combine; use a token with one filter per type")
			return
		}
		params = maps.Clone(params)
		for _, c := range rs.filters[0] {
			params[c.Param] = append(slices.Clone(params[c.Param]), strings.Join(c.Values, ","))
		}
	}
	q, err := search.ParseQuery(typ, params, strictHandling(r))
	var qe *search.QueryError
	if errors.As(err, &qe) {
		writeFHIR(w, r, http.StatusBadRequest, searchOutcome(qe))
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if msg := chainScopes(r, q); msg != "" {
		forbid(w, r, msg)
		return
	}
	self := baseURL(r) + "/" + typ
	if ctype != "" {
		if err := q.InCompartment(ctype, cid); errors.As(err, &qe) {
			writeFHIR(w, r, http.StatusBadRequest, searchOutcome(qe))
			return
		}
		self = baseURL(r) + "/" + ctype + "/" + cid + "/" + typ
	} else if rs.patient != "" {
		// A patient-level token searches its patient's compartment only:
		// nothing else is matched, counted or included.
		if err := q.InCompartment("Patient", rs.patient); errors.As(err, &qe) {
			forbid(w, r, "a patient-level token searches only its patient's compartment: "+qe.Error())
			return
		}
	}
	vs := newStoreValueSets(rd, h.opts.Searcher, r.PathValue("datastore"))
	if err := q.ResolveValueSets(r.Context(), vs); errors.As(err, &qe) {
		writeFHIR(w, r, http.StatusBadRequest, searchOutcome(qe))
		return
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	var warnings []string
	for _, p := range q.Ignored {
		warnings = append(warnings, fmt.Sprintf("search parameter %q is not known for %s and was ignored", p, typ))
	}
	plan, err := search.NewPlan(q, r.PathValue("datastore"))
	if errors.As(err, &qe) {
		writeFHIR(w, r, http.StatusBadRequest, searchOutcome(qe))
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	limit := q.PageSize()
	pg, byKey, err := searchByID(r.Context(), rd, q, limit)
	if err == nil && !byKey {
		pg, err = h.opts.Searcher.SearchPage(r.Context(), r.PathValue("datastore"), plan, limit, q.Offset, q.Total != "none")
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	ids, total := pg.IDs, pg.Total
	b := bundle{ResourceType: "Bundle", ID: newID(), Type: "searchset", Timestamp: time.Now().UTC().Format(time.RFC3339Nano)}
	if total >= 0 {
		b.Total = &total
	}
	b.Link = append(b.Link, pageLinks(self, params, q, limit, pg.Next)...)
	matches, err := searchEntries(r, rd, q, typed(typ, ids), "match")
	if err != nil {
		h.writeEntriesError(w, r, err)
		return
	}
	b.Entry = append(b.Entry, matches...)
	ds := r.PathValue("datastore")
	included, err := search.Includes(q, ids, ds, func(sql string, args []any) ([][2]string, error) {
		return h.opts.Searcher.SearchRefs(r.Context(), ds, sql, args)
	})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	includes, err := searchEntries(r, rd, nil, included, "include")
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	b.Entry = append(append(b.Entry, includes...), outcomeEntries(warnings)...)
	writeBundle(w, r, h, b)
}

// summaryQuery carries _summary and _elements for shape.
func summaryQuery(q *search.Query) url.Values {
	v := url.Values{}
	if q.Summary != "" && q.Summary != "count" {
		v.Set("_summary", q.Summary)
	}
	if len(q.Elements) > 0 {
		v.Set("_elements", strings.Join(q.Elements, ","))
	}
	return v
}

// strictHandling reports Prefer: handling=strict.
func strictHandling(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "handling") && strings.EqualFold(strings.Trim(val, `"`), "strict") {
				return true
			}
		}
	}
	return false
}

// searchOutcome is the 400 OperationOutcome of a bad search parameter.
func searchOutcome(qe *search.QueryError) []byte {
	iss := fhir.Issue{Severity: "error", Code: "invalid", Diagnostics: qe.Error()}
	if qe.Param != "" {
		iss.Expression = []string{qe.Param}
	}
	return issuesOutcome([]fhir.Issue{iss})
}

// chainScopes checks, for a caller with SMART scopes, the types a query
// reaches beyond the searched one: the targets of its chains and the
// types of its _has clauses. Each must be searchable by the caller without
// a filter, and a patient-level caller may chain only into types of the
// patient compartment, so that a criterion never tests resources the
// caller could not read. It returns the refusal, or "".
func chainScopes(r *http.Request, q *search.Query) string {
	c, ok := callerOf(r.Context())
	if !ok || c.SMART == nil {
		return ""
	}
	var reached []string
	var walk func(cr search.Criterion)
	walk = func(cr search.Criterion) {
		if cr.Chain != nil {
			reached = append(reached, cr.Targets...)
			walk(*cr.Chain)
		}
		if cr.Has != nil {
			reached = append(reached, cr.Has.Type)
			walk(cr.Has.Criterion)
		}
	}
	for _, cr := range q.Criteria {
		walk(cr)
	}
	compartment := search.CompartmentTypes("Patient")
	for _, t := range reached {
		d := c.decide(smart.Search, t)
		switch {
		case !d.Allowed:
			return fmt.Sprintf("the search reaches %s through a chain or _has, and the token's scopes do not allow searching it (%s)", t, d.Reason)
		case len(d.Filters) > 0:
			return fmt.Sprintf("the search reaches %s through a chain or _has, which the token may search only through a filter", t)
		case d.Patient != "" && !slices.Contains(compartment, t):
			return fmt.Sprintf("a patient-level token cannot chain into %s, which is outside the patient compartment", t)
		}
	}
	return ""
}
