package api

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// jsonTypes are the media types (and _format shorthands) this server can
// produce; application/json+fhir is the DSTU2 name some clients still send.
var jsonTypes = map[string]bool{
	"json":                  true,
	"application/json":      true,
	"application/fhir+json": true,
	"application/json+fhir": true,
}

// negotiate checks that the client accepts JSON: the _format parameter, if
// given, overrides the Accept header (https://hl7.org/fhir/R4/http.html#mime-type).
// Otherwise it sends 406 and returns false. Responses are always
// application/fhir+json, which any JSON client can read.
func negotiate(w http.ResponseWriter, r *http.Request) bool {
	if f, ok := r.URL.Query()["_format"]; ok {
		if len(f) == 1 && jsonTypes[mediaType(f[0])] {
			return true
		}
		writeOutcome(w, r, http.StatusNotAcceptable, "not-supported",
			"_format "+strconv.Quote(strings.Join(f, ","))+" is not supported; this server only produces JSON (_format=json)")
		return false
	}
	accept := strings.Join(r.Header.Values("Accept"), ",")
	if acceptsJSON(accept) {
		return true
	}
	writeOutcome(w, r, http.StatusNotAcceptable, "not-supported",
		"Accept "+strconv.Quote(accept)+" does not allow JSON; this server only produces application/fhir+json")
	return false
}

// acceptsJSON reports whether an Accept header value allows JSON. An empty
// header accepts anything.
func acceptsJSON(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, rng := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(rng))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
				continue
			}
		}
		if mt == "*/*" || mt == "application/*" || jsonTypes[mt] {
			return true
		}
	}
	return false
}

// mediaType lower-cases a _format value and drops its parameters.
func mediaType(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(strings.TrimSpace(v))
}
