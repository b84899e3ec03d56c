package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/search"
	"github.com/fhirlake/fhirlake/store"
)

// errShape marks a failure to apply _summary or _elements (a 400).
var errShape = errors.New("shape")

// searchEntries reads the resources refs (type and id) into searchset
// entries of mode, shaped by q's _summary and _elements when q is set. A
// resource deleted or gone since the index was refreshed, or a dangling
// reference, gives no entry.
func searchEntries(r *http.Request, rd Reader, q *search.Query, refs [][2]string, mode string) ([]bundleEntry, error) {
	var shaped *http.Request
	if q != nil && (q.Summary != "" || len(q.Elements) > 0) {
		shaped = r.Clone(r.Context())
		shaped.URL = &url.URL{RawQuery: summaryQuery(q).Encode()}
	}
	out := make([]bundleEntry, 0, len(refs))
	for _, ref := range refs {
		res, err := rd.Read(r.Context(), ref[0], ref[1])
		if errors.Is(err, store.ErrDeleted) || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			continue
		}
		if err != nil {
			return nil, err
		}
		body := res.Body
		if shaped != nil {
			if body, err = shape(shaped, body); err != nil {
				return nil, errors.Join(errShape, err)
			}
		}
		out = append(out, bundleEntry{FullURL: baseURL(r) + "/" + ref[0] + "/" + ref[1], Resource: body, Search: &entrySearch{Mode: mode}})
		noteRefs(r, ref)
	}
	return out, nil
}

// writeEntriesError answers a searchEntries error.
func (h *handler) writeEntriesError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errShape) {
		writeOutcome(w, r, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	h.serverError(w, r, err)
}

// outcomeEntries is the search.mode=outcome entry of warnings: none
// without any.
func outcomeEntries(warnings []string) []bundleEntry {
	if len(warnings) == 0 {
		return nil
	}
	oo := fhir.OperationOutcome{ResourceType: "OperationOutcome"}
	for _, m := range warnings {
		oo.Issue = append(oo.Issue, fhir.Issue{Severity: "warning", Code: "not-supported", Diagnostics: m})
	}
	return []bundleEntry{{Resource: oo.JSON(), Search: &entrySearch{Mode: "outcome"}}}
}

// typed pairs ids with their type.
func typed(typ string, ids []string) [][2]string {
	out := make([][2]string, len(ids))
	for i, id := range ids {
		out[i] = [2]string{typ, id}
	}
	return out
}

// writeBundle answers 200 with a Bundle.
func writeBundle(w http.ResponseWriter, r *http.Request, h *handler, b bundle) {
	out, err := json.Marshal(b)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	writeFHIR(w, r, http.StatusOK, out)
}
