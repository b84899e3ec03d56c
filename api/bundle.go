package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/fhirlake/fhirlake/access"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/fhir"
)

// bundleIn is a posted batch or transaction Bundle.
type bundleIn struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Entry        []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Request  *entryRequest   `json:"request"`
	} `json:"entry"`
}

// system serves GET /fhir/{datastore}, a search across types (searchSystem),
// and POST /fhir/{datastore}: batch and transaction Bundles
// (https://hl7.org/fhir/R4/http.html#transaction).
func (h *handler) system(w http.ResponseWriter, r *http.Request) {
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && h.opts.Searcher != nil {
		if negotiate(w, r) {
			h.searchSystem(w, r)
		}
		return
	}
	if r.Method != http.MethodPost {
		if h.opts.Searcher != nil {
			methodNotAllowed(w, r, "GET", "HEAD", "POST")
		} else {
			methodNotAllowed(w, r, "POST")
		}
		return
	}
	if !negotiate(w, r) {
		return
	}
	st, ok := h.writable(w, r)
	if !ok {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var in bundleIn
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		writeOutcome(w, r, http.StatusBadRequest, "structure", "the request body is not a Bundle: "+err.Error())
		return
	}
	if in.ResourceType != "Bundle" {
		writeOutcome(w, r, http.StatusBadRequest, "invalid",
			fmt.Sprintf("POST to the base takes a Bundle, not %q", in.ResourceType))
		return
	}
	switch in.Type {
	case "transaction":
		noteAction(r, "transaction")
		if c, ok := callerOf(r.Context()); ok {
			// A batch's entries are authorized one by one as requests;
			// a transaction's are applied together, so it needs the
			// write role itself (scopes are checked per entry by the
			// guarded store).
			allowed, why, err := c.may(r.PathValue("datastore"), access.FHIRWrite)
			if err != nil {
				h.serverError(w, r, err)
				return
			}
			if !allowed {
				forbid(w, r, why)
				return
			}
		}
		h.transaction(w, r, st, &in)
	case "batch":
		h.batch(w, r, &in)
	default:
		writeOutcome(w, r, http.StatusBadRequest, "invalid",
			fmt.Sprintf("Bundle.type %q: POST to the base takes a batch or a transaction", in.Type))
	}
}

// batch runs each entry as its own request through the handler, so each
// succeeds or fails alone with the same semantics as the interaction
// sent by itself.
func (h *handler) batch(w http.ResponseWriter, r *http.Request, in *bundleIn) {
	out := bundle{ResourceType: "Bundle", ID: newID(), Type: "batch-response",
		Timestamp: time.Now().UTC().Format(time.RFC3339Nano)}
	for i, e := range in.Entry {
		out.Entry = append(out.Entry, h.batchEntry(r, i, e.Request, e.Resource))
	}
	body, err := json.Marshal(out)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	writeFHIR(w, r, http.StatusOK, body)
}

// batchEntry runs one batch entry.
func (h *handler) batchEntry(r *http.Request, i int, req *entryRequest, res json.RawMessage) bundleEntry {
	fail := func(status int, msg string) bundleEntry {
		oo := fhir.OperationOutcome{ResourceType: "OperationOutcome", Issue: []fhir.Issue{{
			Severity: "error", Code: "invalid", Diagnostics: msg,
			Expression: []string{fmt.Sprintf("Bundle.entry[%d]", i)}}}}
		return bundleEntry{Response: &entryResponse{Status: statusLine(status), Outcome: oo.JSON()}}
	}
	if req == nil || req.Method == "" || req.URL == "" {
		return fail(http.StatusBadRequest, fmt.Sprintf("Bundle.entry[%d].request needs a method and a url", i))
	}
	sub, err := h.subRequest(r, req, res)
	if err != nil {
		return fail(http.StatusBadRequest, fmt.Sprintf("Bundle.entry[%d].request: %v", i, err))
	}
	rec := newRecorder()
	h.ServeHTTP(rec, sub)
	return rec.entry()
}

// subRequest builds the HTTP request a Bundle entry stands for.
func (h *handler) subRequest(r *http.Request, req *entryRequest, res json.RawMessage) (*http.Request, error) {
	method := strings.ToUpper(req.Method)
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return nil, fmt.Errorf("method %q is not GET, HEAD, POST, PUT, PATCH or DELETE", req.Method)
	}
	rel, err := relativeURL(r, req.URL)
	if err != nil {
		return nil, err
	}
	body := []byte(res)
	ct := "application/fhir+json"
	if method == http.MethodPatch {
		if body, err = binaryPatch(res); err != nil {
			return nil, err
		}
		ct = jsonPatchType
	}
	target := "/fhir/" + r.PathValue("datastore") + "/" + rel
	sub, err := http.NewRequestWithContext(r.Context(), method, target, io.NopCloser(bytes.NewReader(body)))
	if err != nil {
		return nil, err
	}
	sub.Host, sub.TLS, sub.RemoteAddr = r.Host, r.TLS, r.RemoteAddr
	if len(body) > 0 {
		sub.Header.Set("Content-Type", ct)
	}
	for k, v := range map[string]string{"If-Match": req.IfMatch, "If-None-Match": req.IfNoneMatch,
		"If-None-Exist": req.IfNoneExist, "If-Modified-Since": req.IfModifiedSince} {
		if v != "" {
			sub.Header.Set(k, v)
		}
	}
	if p := r.Header.Values("Prefer"); len(p) > 0 {
		sub.Header["Prefer"] = p
	}
	return sub, nil
}

// relativeURL returns an entry's request url relative to the data
// store's base: "Patient/1", "Patient?identifier=x".
func relativeURL(r *http.Request, u string) (string, error) {
	if base := baseURL(r) + "/"; strings.HasPrefix(u, base) {
		u = u[len(base):]
	}
	u = strings.TrimPrefix(u, "/")
	if strings.Contains(u, "://") || u == "" {
		return "", fmt.Errorf("url %q is not relative to this data store", u)
	}
	return u, nil
}

// binaryPatch returns the JSON Patch a Bundle entry carries as a Binary
// resource (https://hl7.org/fhir/R4/http.html#patch, "Patch using
// Transaction").
func binaryPatch(res json.RawMessage) ([]byte, error) {
	var b struct {
		ResourceType string `json:"resourceType"`
		ContentType  string `json:"contentType"`
		Data         []byte `json:"data"`
	}
	if err := json.Unmarshal(res, &b); err != nil || b.ResourceType != "Binary" {
		return nil, fmt.Errorf("a PATCH entry's resource must be a Binary holding a JSON Patch")
	}
	if mediaType(b.ContentType) != jsonPatchType {
		return nil, fmt.Errorf("a PATCH entry's Binary has contentType %q; only %s is supported", b.ContentType, jsonPatchType)
	}
	return b.Data, nil
}

// statusLine renders a status as Bundle.entry.response.status does:
// "201 Created".
func statusLine(code int) string { return strconv.Itoa(code) + " " + http.StatusText(code) }

// recorder captures a sub-request's response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder            { return &recorder{header: http.Header{}} }
func (c *recorder) Header() http.Header { return c.header }
func (c *recorder) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(p)
}
func (c *recorder) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}

// entry turns the captured response into a response Bundle entry: the
// resource, or the OperationOutcome of a failure.
func (c *recorder) entry() bundleEntry {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	resp := &entryResponse{Status: statusLine(c.status), Etag: c.header.Get("ETag")}
	if loc := c.header.Get("Location"); loc != "" {
		resp.Location = loc
	}
	if lm := c.header.Get("Last-Modified"); lm != "" {
		if t, err := http.ParseTime(lm); err == nil {
			resp.LastModified = t.UTC().Format(time.RFC3339)
		}
	}
	e := bundleEntry{Response: resp}
	body := c.body.Bytes()
	if len(body) == 0 {
		return e
	}
	var probe struct {
		ResourceType string `json:"resourceType"`
	}
	if json.Unmarshal(body, &probe) != nil || probe.ResourceType == "" {
		resp.Outcome = fhir.NewOutcome("error", "exception",
			fmt.Sprintf("the entry's request was answered with %d and no FHIR resource", c.status)).JSON()
		return e
	}
	if probe.ResourceType == "OperationOutcome" && c.status >= 300 || probe.ResourceType == "OperationOutcome" && resp.Etag == "" {
		resp.Outcome = append(json.RawMessage(nil), body...)
		return e
	}
	e.Resource = append(json.RawMessage(nil), body...)
	return e
}
