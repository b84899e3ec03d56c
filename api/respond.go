package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/store"
)

// preferReturn is the Prefer: return= choice of a write
// (https://hl7.org/fhir/R4/http.html#ops).
type preferReturn int

const (
	returnRepresentation preferReturn = iota // the default
	returnMinimal
	returnOutcome
)

// preferredReturn reads the return preference of r's Prefer headers.
func preferredReturn(r *http.Request) preferReturn {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
			if !strings.EqualFold(strings.TrimSpace(k), "return") {
				continue
			}
			switch strings.ToLower(strings.Trim(strings.TrimSpace(val), `"`)) {
			case "minimal":
				return returnMinimal
			case "operationoutcome":
				return returnOutcome
			}
		}
	}
	return returnRepresentation
}

// writeFHIR sends a FHIR JSON body, indented when _pretty=true.
func writeFHIR(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	if r.URL.Query().Get("_pretty") == "true" {
		var b bytes.Buffer
		if json.Indent(&b, body, "", "  ") == nil {
			body = b.Bytes()
		}
	}
	writeJSON(w, r, status, body)
}

// writeWritten answers a successful write of res with status, the
// Location (for creates), ETag and Last-Modified headers and the body the
// Prefer header asks for.
func writeWritten(w http.ResponseWriter, r *http.Request, status int, res store.Resource, msg string) {
	setVersionHeaders(w, res)
	if status == http.StatusCreated {
		w.Header().Set("Location", baseURL(r)+"/"+res.Type+"/"+res.ID+"/_history/"+strconv.FormatInt(res.Version, 10))
	}
	switch preferredReturn(r) {
	case returnMinimal:
		w.WriteHeader(status)
	case returnOutcome:
		writeFHIR(w, r, status, fhir.NewOutcome("information", "informational", msg).JSON())
	default:
		writeFHIR(w, r, status, res.Body)
	}
}

// baseURL is the service base of the data store r addresses:
// scheme://host/fhir/{datastore}.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/fhir/" + r.PathValue("datastore")
}

// parseETag reads a version from an ETag-style header value: W/"3", "3"
// or 3.
func parseETag(v string) (int64, error) {
	s := strings.TrimSpace(v)
	s = strings.TrimPrefix(s, "W/")
	s = strings.Trim(s, `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a version ETag such as W/\"3\"", v)
	}
	return n, nil
}

// issuesOutcome is an OperationOutcome of several issues.
func issuesOutcome(issues []fhir.Issue) []byte {
	return fhir.OperationOutcome{ResourceType: "OperationOutcome", Issue: issues}.JSON()
}
