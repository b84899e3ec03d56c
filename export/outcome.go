package export

import (
	"net/http"
	"strconv"

	"github.com/fhirlake/fhirlake/fhir"
)

// Media types of the responses.
const (
	fhirJSON   = "application/fhir+json"
	ndjsonType = "application/fhir+ndjson"
)

// writeOutcome sends an OperationOutcome with one issue.
func writeOutcome(w http.ResponseWriter, r *http.Request, status int, severity, code, diagnostics string) {
	writeBody(w, r, status, fhirJSON, fhir.NewOutcome(severity, code, diagnostics).JSON())
}

// writeError sends an OperationOutcome with one error issue.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, diagnostics string) {
	writeOutcome(w, r, status, "error", code, diagnostics)
}

// writeBody sends body (none for HEAD) with its media type.
func writeBody(w http.ResponseWriter, r *http.Request, status int, mediaType string, body []byte) {
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
