package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/search"
	"github.com/fhirlake/fhirlake/store"
)

// maxEverything bounds the resources of one $everything answer.
const maxEverything = 10000

// everything serves GET /fhir/{datastore}/Patient/{id}/$everything
// (https://hl7.org/fhir/R4/patient-operation-everything.html): the
// patient and every resource in its compartment, with _type, _since,
// _count, and start and end (care dates).
//
// start and end apply to each type's care date parameter (see
// careDateParam: Observation date, Condition onset-date, Claim created,
// ...): a resource is returned when that date overlaps [start, end]. Per
// the operation's leniency for what has no date, a resource whose type
// has no care date parameter (Patient, Coverage, Group, ...), or that has
// no value of it, is always returned.
func (h *handler) everything(w http.ResponseWriter, r *http.Request, id string) {
	rd, ok := h.lookup(w, r)
	if !ok {
		return
	}
	ds := r.PathValue("datastore")
	params := r.URL.Query()
	if _, err := rd.Read(r.Context(), "Patient", id); err != nil {
		switch {
		case errors.Is(err, store.ErrDeleted):
			writeOutcome(w, r, http.StatusGone, "deleted", fmt.Sprintf("Patient/%s was deleted", id))
		case errors.Is(err, store.ErrNotFound):
			writeOutcome(w, r, http.StatusNotFound, "not-found", fmt.Sprintf("Patient/%s is not known in data store %q", id, ds))
		default:
			h.serverError(w, r, err)
		}
		return
	}
	types := search.CompartmentTypes("Patient")
	if v := params.Get("_type"); v != "" {
		want := strings.Split(v, ",")
		for _, t := range want {
			if !fhir.IsResourceType(t) {
				writeOutcome(w, r, http.StatusBadRequest, "invalid", fmt.Sprintf("_type: %q is not a FHIR R4 resource type", t))
				return
			}
		}
		types = slices.DeleteFunc(types, func(t string) bool { return !slices.Contains(want, t) })
	}
	crit := url.Values{}
	if v := params.Get("_since"); v != "" {
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			writeOutcome(w, r, http.StatusBadRequest, "invalid", fmt.Sprintf("_since %q is not a FHIR instant", v))
			return
		}
		crit.Set("_lastUpdated", "ge"+v)
	}
	start, end := params.Get("start"), params.Get("end")
	if _, err := careDateCriteria("", start, end); err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	var warnings []string
	var keys [][2]string
	for _, t := range types {
		ids, err := h.everythingOf(r.Context(), ds, t, id, crit, start, end, maxEverything-len(keys))
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		for _, x := range ids {
			keys = append(keys, [2]string{t, x})
		}
		if len(keys) >= maxEverything {
			warnings = append(warnings, fmt.Sprintf("only the first %d resources are returned", maxEverything))
			break
		}
	}
	b := bundle{ResourceType: "Bundle", ID: newID(), Type: "searchset", Timestamp: time.Now().UTC().Format(time.RFC3339Nano)}
	total := len(keys)
	b.Total = &total
	b.Link = []bundleLink{{Relation: "self", URL: baseURL(r) + "/Patient/" + id + "/$everything" + encodeQuery(params)}}
	matches, err := searchEntries(r, rd, nil, keys, "match")
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	b.Entry = append(matches, outcomeEntries(warnings)...)
	writeBundle(w, r, h, b)
}

// everythingOf returns the ids of the resources of typ in the compartment
// of Patient/id that meet crit and, by their care date, start and end (at
// most limit of them, sorted).
func (h *handler) everythingOf(ctx context.Context, ds, typ, id string, crit url.Values, start, end string, limit int) ([]string, error) {
	run := func(extra url.Values) ([]string, error) {
		all := url.Values{}
		for _, v := range []url.Values{crit, extra} {
			for k, vals := range v {
				all[k] = append(all[k], vals...)
			}
		}
		q, err := search.ParseQuery(typ, all, true)
		if err == nil {
			err = q.InCompartment("Patient", id)
		}
		var plan *search.Plan
		if err == nil {
			plan, err = search.NewPlan(q, ds)
		}
		if err != nil {
			return nil, fmt.Errorf("api: $everything %s: %w", typ, err)
		}
		ids, _, err := h.opts.Searcher.Search(ctx, ds, plan, limit, 0, false)
		return ids, err
	}
	code := careDateParam(typ)
	if code == "" || start == "" && end == "" {
		return run(nil)
	}
	dated, err := careDateCriteria(code, start, end)
	if err != nil {
		return nil, err
	}
	ids, err := run(dated)
	if err != nil {
		return nil, err
	}
	undated, err := run(url.Values{code + ":missing": {"true"}})
	if err != nil {
		return nil, err
	}
	ids = append(ids, undated...)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return ids[:min(len(ids), limit)], nil
}
