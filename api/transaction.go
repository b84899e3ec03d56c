package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/store"
)

// txEntry is one entry of a transaction as planned.
type txEntry struct {
	index   int
	method  string
	typ, id string
	query   url.Values // conditional criteria, if the url had them
	vid     int64      // GET of a version
	ifMatch int64
	fullURL string
	body    []byte // the resource as sent (POST, PUT), or the patch
	idents  []store.IdentifierQuery
	noop    bool // If-None-Exist matched, or a conditional delete matched nothing
	op      int  // index of its store.Op, -1 if none
}

// txError is a failure that rolls the whole transaction back.
type txError struct {
	status int
	code   string
	entry  int
	msg    string
}

func (e *txError) Error() string { return e.msg }

// processing order of R4: DELETE, POST, PUT/PATCH, then GET/HEAD.
func methodRank(m string) int {
	switch m {
	case http.MethodDelete:
		return 0
	case http.MethodPost:
		return 1
	case http.MethodPut, http.MethodPatch:
		return 2
	}
	return 3
}

// transaction commits every entry of in as one store transaction, or
// none. It resolves the entries' identities (server ids for POST,
// conditional criteria), rewrites references to fullUrls and conditional
// references, validates every resource, then applies DELETE, POST, PUT
// and PATCH in that order atomically; GET entries are read afterwards.
func (h *handler) transaction(w http.ResponseWriter, r *http.Request, st Store, in *bundleIn) {
	h.condMu.Lock()
	out, err := h.runTransaction(r, st, in)
	h.condMu.Unlock()
	if err != nil {
		var te *txError
		if errors.As(err, &te) {
			oo := fhir.OperationOutcome{ResourceType: "OperationOutcome", Issue: []fhir.Issue{{
				Severity: "error", Code: te.code, Diagnostics: "transaction failed, nothing was written: " + te.msg}}}
			if te.entry >= 0 {
				oo.Issue[0].Expression = []string{fmt.Sprintf("Bundle.entry[%d]", te.entry)}
			}
			writeFHIR(w, r, te.status, oo.JSON())
			return
		}
		var ve validationErr
		if errors.As(err, &ve) {
			writeIssues(w, r, ve.status, ve.issues)
			return
		}
		h.writeApplyError(w, r, err)
		return
	}
	body, err := json.Marshal(out)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	writeFHIR(w, r, http.StatusOK, body)
}

// validationErr carries the issues of an invalid entry resource.
type validationErr struct {
	status int
	issues []fhir.Issue
}

func (v validationErr) Error() string { return "invalid resource" }

func (h *handler) runTransaction(r *http.Request, st Store, in *bundleIn) (*bundle, error) {
	ctx := r.Context()
	entries := make([]*txEntry, len(in.Entry))
	for i, e := range in.Entry {
		te, err := parseTxEntry(r, i, e.FullURL, e.Request, e.Resource)
		if err != nil {
			return nil, err
		}
		entries[i] = te
	}
	// Identities: each entry's target id, and fullUrl -> Type/id.
	refs := map[string]string{}
	seen := map[string]int{}
	for _, e := range entries {
		if err := h.resolveIdentity(ctx, st, e); err != nil {
			return nil, err
		}
		if e.method == http.MethodGet || e.method == http.MethodHead || e.noop && e.method == http.MethodDelete {
			continue
		}
		key := e.typ + "/" + e.id
		if j, dup := seen[key]; dup {
			return nil, &txError{http.StatusBadRequest, "invalid", e.index,
				fmt.Sprintf("entries %d and %d both change %s; a transaction may change a resource once", j, e.index, key)}
		}
		seen[key] = e.index
		if e.fullURL != "" && (e.method == http.MethodPost || e.method == http.MethodPut) {
			refs[e.fullURL] = key
		}
	}
	// Rewrite references, validate, and build the ops in R4 order.
	order := slices.Clone(entries)
	slices.SortStableFunc(order, func(a, b *txEntry) int { return methodRank(a.method) - methodRank(b.method) })
	var ops []store.Op
	condRef := func(ref string) (string, bool, error) { return h.conditionalRef(ctx, st, entries, ref) }
	for _, e := range order {
		e.op = -1
		if e.noop {
			continue
		}
		switch e.method {
		case http.MethodDelete:
			e.op = len(ops)
			ops = append(ops, store.Op{Type: e.typ, ID: e.id, Delete: true, IfMatch: e.ifMatch})
		case http.MethodPost, http.MethodPut:
			body, err := rewriteStrings(e.body, refs, condRef)
			if err != nil {
				return nil, asTxError(err, e.index)
			}
			ms, status, issues := h.checkResource(body, e.typ, fmt.Sprintf("resource of Bundle.entry[%d]", e.index))
			if status != 0 {
				return nil, validationErr{status, entryIssues(issues, e.index)}
			}
			e.op = len(ops)
			ops = append(ops, store.Op{Type: e.typ, ID: e.id, Body: withID(ms, e.id), IfMatch: e.ifMatch,
				IfAbsent: e.method == http.MethodPost})
		case http.MethodPatch:
			body, err := h.patchedBody(ctx, st, e)
			if err != nil {
				return nil, err
			}
			e.op = len(ops)
			ops = append(ops, store.Op{Type: e.typ, ID: e.id, Body: body, IfMatch: e.ifMatch})
		}
	}
	var results []store.Result
	if len(ops) > 0 {
		var err error
		if results, err = st.Apply(ctx, ops); err != nil {
			return nil, err
		}
		h.changed(r)
	}
	out := &bundle{ResourceType: "Bundle", ID: newID(), Type: "transaction-response",
		Timestamp: time.Now().UTC().Format(time.RFC3339Nano)}
	prefer := preferredReturn(r)
	for _, e := range entries {
		out.Entry = append(out.Entry, h.txResponse(r, st, e, results, prefer))
	}
	return out, nil
}

// asTxError turns a reference resolution failure into a txError.
func asTxError(err error, entry int) error {
	var te *txError
	if errors.As(err, &te) {
		te.entry = entry
		return te
	}
	return &txError{http.StatusBadRequest, "invalid", entry, err.Error()}
}

// entryIssues places a resource's issues in its Bundle entry.
func entryIssues(issues []fhir.Issue, i int) []fhir.Issue {
	prefix := fmt.Sprintf("Bundle.entry[%d].resource", i)
	out := slices.Clone(issues)
	for k := range out {
		out[k].Expression = slices.Clone(out[k].Expression)
		for j, x := range out[k].Expression {
			if dot := strings.IndexByte(x, '.'); dot >= 0 {
				out[k].Expression[j] = prefix + x[dot:]
			} else {
				out[k].Expression[j] = prefix
			}
		}
		if len(out[k].Expression) == 0 {
			out[k].Expression = []string{prefix}
		}
		out[k].Diagnostics = prefix + ": " + out[k].Diagnostics
	}
	return out
}

// parseTxEntry checks an entry's request and splits its url.
func parseTxEntry(r *http.Request, i int, fullURL string, req *entryRequest, res json.RawMessage) (*txEntry, error) {
	bad := func(format string, a ...any) error {
		return &txError{http.StatusBadRequest, "invalid", i, fmt.Sprintf("Bundle.entry[%d]: ", i) + fmt.Sprintf(format, a...)}
	}
	if req == nil || req.Method == "" || req.URL == "" {
		return nil, bad("request needs a method and a url")
	}
	e := &txEntry{index: i, method: strings.ToUpper(req.Method), fullURL: fullURL, body: res}
	rel, err := relativeURL(r, req.URL)
	if err != nil {
		return nil, bad("request.%v", err)
	}
	path, rawQuery, hasQuery := strings.Cut(rel, "?")
	parts := strings.Split(path, "/")
	e.typ = parts[0]
	if !fhir.IsResourceType(e.typ) {
		return nil, bad("request.url %q: %q is not a FHIR R4 resource type", req.URL, e.typ)
	}
	if req.IfMatch != "" {
		if e.ifMatch, err = parseETag(req.IfMatch); err != nil {
			return nil, bad("request.ifMatch: %v", err)
		}
	}
	if hasQuery {
		if e.query, err = parseCriteria(rawQuery); err != nil {
			return nil, bad("request.url %q: %v", req.URL, err)
		}
	}
	switch {
	case len(parts) == 1:
	case len(parts) == 2 && fhir.ValidID(parts[1]):
		e.id = parts[1]
	case len(parts) == 4 && parts[2] == "_history" && fhir.ValidID(parts[1]):
		e.id = parts[1]
		if e.vid, err = strconv.ParseInt(parts[3], 10, 64); err != nil || e.vid < 1 {
			return nil, bad("request.url %q: bad version", req.URL)
		}
	default:
		return nil, bad("request.url %q is not [type], [type]/[id] or [type]/[id]/_history/[vid]", req.URL)
	}
	switch e.method {
	case http.MethodPost:
		if e.id != "" || hasQuery {
			return nil, bad("a POST url names only the type, not %q", req.URL)
		}
		if req.IfNoneExist != "" {
			if e.query, err = parseCriteria(strings.TrimPrefix(req.IfNoneExist, e.typ+"?")); err != nil {
				return nil, bad("request.ifNoneExist: %v", err)
			}
		}
	case http.MethodPut, http.MethodDelete, http.MethodPatch:
		if (e.id == "") == !hasQuery || e.vid != 0 {
			return nil, bad("a %s url is [type]/[id] or [type]?[criteria], not %q", e.method, req.URL)
		}
	case http.MethodGet, http.MethodHead:
		if e.id == "" || hasQuery {
			return nil, bad("GET in a transaction supports read and vread ([type]/[id][/_history/[vid]]), not %q", req.URL)
		}
	default:
		return nil, bad("method %q is not GET, HEAD, POST, PUT, PATCH or DELETE", req.Method)
	}
	if (e.method == http.MethodPost || e.method == http.MethodPut) && len(res) == 0 {
		return nil, bad("a %s needs a resource", e.method)
	}
	if e.method == http.MethodPatch {
		if e.body, err = binaryPatch(res); err != nil {
			return nil, bad("%v", err)
		}
	}
	if e.method == http.MethodPost || e.method == http.MethodPut {
		ms, err := objectMembers(res)
		if err != nil {
			return nil, bad("resource: %v", err)
		}
		for _, m := range ms {
			if m.key == "identifier" {
				e.idents = identifierQueries(m.val)
			}
		}
		if e.method == http.MethodPut && e.id != "" {
			if bid, ok := stringMember(ms, "id"); ok && bid != e.id {
				return nil, bad("the resource's id %q differs from the url's %q", bid, e.id)
			}
		}
	}
	return e, nil
}

// identifierQueries reads an identifier array for matching conditional
// references against the transaction's own resources.
func identifierQueries(raw json.RawMessage) []store.IdentifierQuery {
	var ids []struct{ System, Value string }
	if json.Unmarshal(raw, &ids) != nil {
		return nil
	}
	out := make([]store.IdentifierQuery, 0, len(ids))
	for _, x := range ids {
		out = append(out, store.IdentifierQuery{System: x.System, Value: x.Value})
	}
	return out
}

// resolveIdentity decides the id an entry acts on.
func (h *handler) resolveIdentity(ctx context.Context, st Store, e *txEntry) error {
	fail := func(status int, code, format string, a ...any) error {
		return &txError{status, code, e.index, fmt.Sprintf("Bundle.entry[%d]: ", e.index) + fmt.Sprintf(format, a...)}
	}
	matchQ := func() ([]string, error) {
		ids, err := match(ctx, st, e.typ, e.query)
		if errors.Is(err, errCriteria) {
			return nil, fail(http.StatusBadRequest, "not-supported", "%v", err)
		}
		return ids, err
	}
	switch e.method {
	case http.MethodPost:
		if e.query != nil {
			ids, err := matchQ()
			if err != nil {
				return err
			}
			switch len(ids) {
			case 0:
			case 1:
				e.id, e.noop = ids[0], true
				return nil
			default:
				return fail(http.StatusPreconditionFailed, "multiple-matches", "ifNoneExist matches %d resources", len(ids))
			}
		}
		e.id = newID()
	case http.MethodPut, http.MethodDelete, http.MethodPatch:
		if e.query == nil {
			return nil
		}
		ids, err := matchQ()
		if err != nil {
			return err
		}
		switch {
		case len(ids) == 1:
			e.id = ids[0]
		case len(ids) > 1:
			return fail(http.StatusPreconditionFailed, "multiple-matches", "the criteria match %d resources", len(ids))
		case e.method == http.MethodDelete:
			e.noop = true
		case e.method == http.MethodPatch:
			return fail(http.StatusNotFound, "not-found", "no %s matches the criteria of the PATCH", e.typ)
		default:
			ms, _ := objectMembers(e.body)
			if bid, ok := stringMember(ms, "id"); ok && fhir.ValidID(bid) {
				e.id = bid
			} else {
				e.id = newID()
			}
		}
	}
	return nil
}

// conditionalRef resolves a reference such as Patient?identifier=s|v,
// first among the transaction's own created and updated resources, then
// in the store. It reports false for anything that is not one.
func (h *handler) conditionalRef(ctx context.Context, st Store, entries []*txEntry, ref string) (string, bool, error) {
	typ, raw, ok := strings.Cut(ref, "?")
	if !ok || !fhir.IsResourceType(typ) {
		return "", false, nil
	}
	q, err := parseCriteria(raw)
	if err != nil {
		return "", false, &txError{http.StatusBadRequest, "invalid", -1, fmt.Sprintf("conditional reference %q: %v", ref, err)}
	}
	var found []string
	for _, e := range entries {
		if e.typ != typ || (e.method != http.MethodPost && e.method != http.MethodPut) || e.noop {
			continue
		}
		if entryMatches(e, q) {
			found = append(found, e.id)
		}
	}
	if len(found) == 0 {
		ids, err := match(ctx, st, typ, q)
		if errors.Is(err, errCriteria) {
			return "", false, &txError{http.StatusBadRequest, "not-supported", -1, fmt.Sprintf("conditional reference %q: %v", ref, err)}
		}
		if err != nil {
			return "", false, err
		}
		found = ids
	}
	switch len(found) {
	case 1:
		return typ + "/" + found[0], true, nil
	case 0:
		return "", false, &txError{http.StatusNotFound, "not-found", -1, fmt.Sprintf("conditional reference %q matches no resource", ref)}
	default:
		return "", false, &txError{http.StatusPreconditionFailed, "multiple-matches", -1,
			fmt.Sprintf("conditional reference %q matches %d resources", ref, len(found))}
	}
}

// entryMatches evaluates _id and identifier criteria against an entry's
// own resource.
func entryMatches(e *txEntry, q url.Values) bool {
	for k, vs := range q {
		for _, v := range vs {
			hit := false
			for _, alt := range strings.Split(v, ",") {
				switch k {
				case "_id":
					hit = hit || alt == e.id
				case "identifier":
					sys, val, hasSys := strings.Cut(alt, "|")
					if !hasSys {
						sys, val = "", alt
					}
					for _, x := range e.idents {
						if x.Value == val && (!hasSys || x.System == sys) {
							hit = true
						}
					}
				}
			}
			if !hit {
				return false
			}
		}
	}
	return true
}

// patchedBody applies a PATCH entry to the current version, which then
// must still be current when the transaction commits.
func (h *handler) patchedBody(ctx context.Context, st Store, e *txEntry) ([]byte, error) {
	fail := func(status int, code, format string, a ...any) error {
		return &txError{status, code, e.index, fmt.Sprintf("Bundle.entry[%d]: ", e.index) + fmt.Sprintf(format, a...)}
	}
	cur, err := st.Read(ctx, e.typ, e.id)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrDeleted):
		return nil, fail(http.StatusNotFound, "not-found", "%s/%s does not exist", e.typ, e.id)
	case err != nil:
		return nil, err
	}
	if e.ifMatch > 0 && e.ifMatch != cur.Version {
		return nil, fail(http.StatusPreconditionFailed, "conflict", "%s/%s is at version %d, not %d", e.typ, e.id, cur.Version, e.ifMatch)
	}
	e.ifMatch = cur.Version
	p, err := jsonpatch.DecodePatch(e.body)
	if err != nil {
		return nil, fail(http.StatusBadRequest, "invalid", "the JSON Patch cannot be read: %v", err)
	}
	body, err := p.Apply(cur.Body)
	if err != nil {
		return nil, fail(http.StatusUnprocessableEntity, "processing", "applying the JSON Patch: %v", err)
	}
	ms, status, issues := h.checkResource(body, e.typ, fmt.Sprintf("patched resource of Bundle.entry[%d]", e.index))
	if status != 0 {
		return nil, validationErr{status, entryIssues(issues, e.index)}
	}
	if id, _ := stringMember(ms, "id"); id != e.id {
		return nil, fail(http.StatusUnprocessableEntity, "processing", "the patch changes the resource's id")
	}
	return body, nil
}

// txResponse is the response entry of e after the commit.
func (h *handler) txResponse(r *http.Request, st Store, e *txEntry, results []store.Result, prefer preferReturn) bundleEntry {
	if e.method == http.MethodGet || e.method == http.MethodHead {
		var res store.Resource
		var err error
		if e.vid > 0 {
			res, err = st.VRead(r.Context(), e.typ, e.id, e.vid)
		} else {
			res, err = st.Read(r.Context(), e.typ, e.id)
		}
		status := http.StatusOK
		switch {
		case errors.Is(err, store.ErrDeleted):
			status = http.StatusGone
		case errors.Is(err, store.ErrNotFound):
			status = http.StatusNotFound
		case err != nil:
			status = http.StatusInternalServerError
		}
		out := bundleEntry{Response: &entryResponse{Status: statusLine(status)}}
		if status == http.StatusOK {
			out.Response.Etag = `W/"` + strconv.FormatInt(res.Version, 10) + `"`
			out.Response.LastModified = res.LastUpdated.UTC().Format(time.RFC3339Nano)
			out.Resource = res.Body
		}
		return out
	}
	if e.op < 0 {
		switch e.method {
		case http.MethodPost: // If-None-Exist matched
			res, _ := st.Read(r.Context(), e.typ, e.id)
			return writtenEntry(e, res, http.StatusOK, prefer)
		default: // conditional delete without a match
			return bundleEntry{Response: &entryResponse{Status: statusLine(http.StatusNoContent)}}
		}
	}
	res := results[e.op]
	switch {
	case e.method == http.MethodDelete:
		status := http.StatusNoContent
		if res.Resource.Version == 0 {
			status = http.StatusNotFound
		}
		out := bundleEntry{Response: &entryResponse{Status: statusLine(status)}}
		if res.Resource.Version > 0 {
			out.Response.Etag = `W/"` + strconv.FormatInt(res.Resource.Version, 10) + `"`
		}
		return out
	case res.Outcome == store.Created:
		return writtenEntry(e, res.Resource, http.StatusCreated, prefer)
	default:
		return writtenEntry(e, res.Resource, http.StatusOK, prefer)
	}
}

// writtenEntry is the response entry of a written (or matched) resource.
func writtenEntry(e *txEntry, res store.Resource, status int, prefer preferReturn) bundleEntry {
	vid := strconv.FormatInt(res.Version, 10)
	out := bundleEntry{Response: &entryResponse{
		Status:       statusLine(status),
		Location:     e.typ + "/" + e.id + "/_history/" + vid,
		Etag:         `W/"` + vid + `"`,
		LastModified: res.LastUpdated.UTC().Format(time.RFC3339Nano),
	}}
	if e.fullURL != "" {
		out.FullURL = e.fullURL
	}
	switch prefer {
	case returnRepresentation:
		out.Resource = res.Body
	case returnOutcome:
		out.Response.Outcome = fhir.NewOutcome("information", "informational",
			fmt.Sprintf("%s %s/%s", strings.ToLower(http.StatusText(status)), e.typ, e.id)).JSON()
	}
	return out
}
