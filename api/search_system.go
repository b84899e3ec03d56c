package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/search"
)

// searchSystem serves GET /fhir/{datastore}?params, a search across
// resource types (https://hl7.org/fhir/R4/http.html#search): those of
// _type, or, without it, every type the data store holds. The other
// parameters apply to each type (in practice the common ones: _id,
// _lastUpdated, _tag, _profile, _security, _source, _text, _content,
// _list, _has); one unknown for a type is ignored for it and reported (a
// 400 under Prefer: handling=strict). Matches come ordered by type and
// id, paged by a Type/id cursor; _sort and includes are refused.
func (h *handler) searchSystem(w http.ResponseWriter, r *http.Request) {
	rd, ok := h.lookup(w, r)
	if !ok {
		return
	}
	ds := r.PathValue("datastore")
	params := r.URL.Query()
	bad := func(qe *search.QueryError) { writeFHIR(w, r, http.StatusBadRequest, searchOutcome(qe)) }
	var types []string
	if v := params.Get("_type"); v != "" {
		for _, t := range strings.Split(v, ",") {
			if !fhir.IsResourceType(t) {
				bad(&search.QueryError{Param: "_type", Reason: fmt.Sprintf("%q is not a FHIR R4 resource type", t)})
				return
			}
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	} else if tl, ok := rd.(TypeLister); ok {
		var err error
		if types, err = tl.Types(r.Context()); err != nil {
			h.serverError(w, r, err)
			return
		}
	} else {
		types = fhir.ResourceTypes()
	}
	each := url.Values{}
	for k, v := range params {
		if k != "_type" && k != "_after" {
			each[k] = v
		}
	}
	strict := strictHandling(r)
	vs := newStoreValueSets(rd, h.opts.Searcher, ds)
	var qs []*search.Query
	var warnings []string
	for _, t := range types {
		q, err := search.ParseQuery(t, each, strict)
		var qe *search.QueryError
		if errors.As(err, &qe) {
			bad(qe)
			return
		}
		if err == nil {
			err = q.ResolveValueSets(r.Context(), vs)
		}
		if errors.As(err, &qe) {
			bad(qe)
			return
		}
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		for _, p := range q.Ignored {
			warnings = append(warnings, fmt.Sprintf("search parameter %q is not known for %s and was ignored there", p, t))
		}
		qs = append(qs, q)
	}
	b := bundle{ResourceType: "Bundle", ID: newID(), Type: "searchset", Timestamp: time.Now().UTC().Format(time.RFC3339Nano)}
	self := baseURL(r)
	if len(qs) == 0 { // an empty data store
		zero := 0
		b.Total = &zero
		b.Link = []bundleLink{{Relation: "self", URL: self + encodeQuery(params)}}
		writeBundle(w, r, h, b)
		return
	}
	after := params.Get("_after")
	plan, err := search.NewSystemPlan(qs, ds, after)
	var qe *search.QueryError
	if errors.As(err, &qe) {
		bad(qe)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	q := qs[0]
	q.After = after // for the links
	limit := q.PageSize()
	pg, err := h.opts.Searcher.SearchPage(r.Context(), ds, plan, limit, q.Offset, q.Total != "none")
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if pg.Total >= 0 {
		b.Total = &pg.Total
	}
	b.Link = pageLinks(self, params, q, limit, pg.Next)
	refs := make([][2]string, len(pg.IDs))
	for i, ref := range pg.IDs {
		refs[i][0], refs[i][1], _ = strings.Cut(ref, "/")
	}
	matches, err := searchEntries(r, rd, q, refs, "match")
	if err != nil {
		h.writeEntriesError(w, r, err)
		return
	}
	b.Entry = append(matches, outcomeEntries(warnings)...)
	writeBundle(w, r, h, b)
}
