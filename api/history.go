package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fhirlake/fhirlake/store"
)

// Paging limits of history.
const (
	defaultCount = 50
	maxCount     = 1000
)

// historyParams are the parameters of a history interaction.
type historyParams struct {
	since  time.Time
	count  int
	before uint64 // type and system level page cursor
	offset int    // instance level page offset
}

// parseHistoryParams reads _since, _count and the page cursor.
func parseHistoryParams(q url.Values) (historyParams, error) {
	p := historyParams{count: defaultCount}
	if v := q.Get("_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return p, fmt.Errorf("_since %q is not a FHIR instant such as 2026-01-02T03:04:05Z", v)
		}
		p.since = t
	}
	if v := q.Get("_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, fmt.Errorf("_count %q is not a non-negative integer", v)
		}
		p.count = min(n, maxCount)
	}
	if v := q.Get("_before"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return p, fmt.Errorf("_before %q is not a page cursor from a next link", v)
		}
		p.before = n
	}
	if v := q.Get("_offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, fmt.Errorf("_offset %q is not a non-negative integer", v)
		}
		p.offset = n
	}
	return p, nil
}

// historyEntry turns one version into a history Bundle entry.
func historyEntry(base string, v store.Resource) bundleEntry {
	e := bundleEntry{FullURL: base + "/" + v.Type + "/" + v.ID}
	vid := strconv.FormatInt(v.Version, 10)
	resp := &entryResponse{Etag: `W/"` + vid + `"`, LastModified: v.LastUpdated.UTC().Format(time.RFC3339Nano)}
	switch {
	case v.Deleted:
		e.Request = &entryRequest{Method: "DELETE", URL: v.Type + "/" + v.ID}
		resp.Status = "204 No Content"
	case v.Version == 1:
		e.Request = &entryRequest{Method: "POST", URL: v.Type}
		resp.Status = "201 Created"
		resp.Location = v.Type + "/" + v.ID + "/_history/" + vid
		e.Resource = v.Body
	default:
		e.Request = &entryRequest{Method: "PUT", URL: v.Type + "/" + v.ID}
		resp.Status = "200 OK"
		resp.Location = v.Type + "/" + v.ID + "/_history/" + vid
		e.Resource = v.Body
	}
	e.Response = resp
	return e
}

// history serves instance, type and system _history
// (https://hl7.org/fhir/R4/http.html#history). typ and id may be empty.
func (h *handler) history(w http.ResponseWriter, r *http.Request, st Store, typ, id string) {
	q := r.URL.Query()
	p, err := parseHistoryParams(q)
	if err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	base := baseURL(r)
	self := base + "/" + typ
	if id != "" {
		self += "/" + id
	}
	self += "/_history"
	if typ == "" {
		self = base + "/_history"
	}
	var versions []store.Resource
	next := ""
	if id != "" {
		all, err := st.History(r.Context(), typ, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			writeOutcome(w, r, http.StatusNotFound, "not-found",
				fmt.Sprintf("%s/%s is not known in data store %q", typ, id, r.PathValue("datastore")))
			return
		case err != nil:
			h.serverError(w, r, err)
			return
		}
		for _, v := range all {
			if !p.since.IsZero() && v.LastUpdated.Before(p.since) {
				break
			}
			versions = append(versions, v)
		}
		lo := min(p.offset, len(versions))
		hi := min(lo+p.count, len(versions))
		if hi < len(versions) {
			next = pageLink(self, q, "_offset", strconv.Itoa(hi))
		}
		versions = versions[lo:hi]
	} else if p.count > 0 {
		page, err := st.HistoryPage(r.Context(), store.HistoryQuery{Type: typ, Since: p.since, Before: p.before, Limit: p.count})
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		versions = page.Versions
		if page.Next != 0 {
			next = pageLink(self, q, "_before", strconv.FormatUint(page.Next, 10))
		}
	}
	b := bundle{ResourceType: "Bundle", ID: newID(), Type: "history",
		Timestamp: time.Now().UTC().Format(time.RFC3339Nano),
		Link:      []bundleLink{{Relation: "self", URL: self + encodeQuery(q)}}}
	if next != "" {
		b.Link = append(b.Link, bundleLink{Relation: "next", URL: next})
	}
	for _, v := range versions {
		b.Entry = append(b.Entry, historyEntry(base, v))
	}
	body, err := json.Marshal(b)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	writeFHIR(w, r, http.StatusOK, body)
}

// pageLink is self with q, the page parameter set to v.
func pageLink(self string, q url.Values, param, v string) string {
	n := url.Values{}
	for k, vs := range q {
		n[k] = vs
	}
	n.Set(param, v)
	return self + encodeQuery(n)
}

func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// vread serves GET /fhir/{datastore}/{type}/{id}/_history/{vid}.
func (h *handler) vread(w http.ResponseWriter, r *http.Request, st Store, typ, id, vid string) {
	v, err := strconv.ParseInt(vid, 10, 64)
	if err != nil || v < 1 {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", fmt.Sprintf("version %q is not a positive integer", vid))
		return
	}
	res, err := st.VRead(r.Context(), typ, id, v)
	switch {
	case errors.Is(err, store.ErrDeleted):
		setVersionHeaders(w, res)
		writeOutcome(w, r, http.StatusGone, "deleted", fmt.Sprintf("version %d of %s/%s is its deletion", v, typ, id))
	case errors.Is(err, store.ErrNotFound):
		writeOutcome(w, r, http.StatusNotFound, "not-found", fmt.Sprintf("%s/%s has no version %d", typ, id, v))
	case err != nil:
		h.serverError(w, r, err)
	default:
		h.writeRead(w, r, res)
	}
}
