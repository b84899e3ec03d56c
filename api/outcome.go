package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/flatten"
)

// fhirJSON is the media type of every response.
const fhirJSON = "application/fhir+json; charset=utf-8"

// writeOutcome sends an OperationOutcome with one error issue.
func writeOutcome(w http.ResponseWriter, r *http.Request, status int, code, diagnostics string) {
	writeJSON(w, r, status, fhir.NewOutcome("error", code, diagnostics).JSON())
}

// outcomeIssue is an OperationOutcome issue with an expression, which
// fhir.Issue does not have.
type outcomeIssue struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Diagnostics string   `json:"diagnostics,omitempty"`
	Expression  []string `json:"expression,omitempty"`
}

// writeViewError sends a 400 OperationOutcome for an invalid
// ViewDefinition: the JSON pointer of the part at fault (such as
// /select/0/column/2/path) in issue[0].expression, and the reason, after
// the same pointer, in diagnostics.
func writeViewError(w http.ResponseWriter, r *http.Request, ve *flatten.ViewError) {
	iss := outcomeIssue{Severity: "error", Code: "invalid", Diagnostics: "invalid ViewDefinition: " + ve.Reason}
	if ve.Pointer != "" {
		iss.Expression = []string{ve.Pointer}
		iss.Diagnostics = "invalid ViewDefinition: " + ve.Pointer + ": " + ve.Reason
	}
	body, err := json.Marshal(struct {
		ResourceType string         `json:"resourceType"`
		Issue        []outcomeIssue `json:"issue"`
	}{"OperationOutcome", []outcomeIssue{iss}})
	if err != nil { // cannot happen for strings
		writeOutcome(w, r, http.StatusBadRequest, "invalid", iss.Diagnostics)
		return
	}
	writeJSON(w, r, http.StatusBadRequest, body)
}

// writeJSON sends a FHIR JSON body (none for HEAD).
func writeJSON(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	w.Header().Set("Content-Type", fhirJSON)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// serverError logs err and sends a 500 OperationOutcome that does not
// reveal it.
func (h *handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.LogAttrs(r.Context(), slog.LevelWarn, "api: request failed",
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	writeOutcome(w, r, http.StatusInternalServerError, "exception", "internal error; see the server log")
}

// notFound answers every path the API does not serve.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	writeOutcome(w, r, http.StatusNotFound, "not-found",
		"no FHIR endpoint at "+strconv.Quote(r.URL.Path)+"; GET /fhir/{datastore}/metadata lists the interactions this server supports")
}

// allowRead checks the method of a read-only endpoint: GET or HEAD.
func allowRead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeOutcome(w, r, http.StatusMethodNotAllowed, "not-supported",
		"method "+r.Method+" is not supported on "+r.URL.Path+"; only GET and HEAD are")
	return false
}
