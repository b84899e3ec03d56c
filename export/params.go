package export

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/fhir"
)

// param is one kick-off parameter, from the query string or a Parameters
// body.
type param struct{ name, value string }

// kickoff is a validated kick-off request.
type kickoff struct {
	types    []string
	since    *time.Time
	patients []string // POST patient parameter; nil when absent
	deid     string   // _deid: "" or DeidSafeHarbor
	warnings []string // ignored parameters
}

// paramError is a kick-off request the server refuses with 400.
type paramError struct{ msg string }

func (e *paramError) Error() string { return "export: " + e.msg }

// outputFormats are the accepted values of _outputFormat.
var outputFormats = []string{"application/fhir+ndjson", "application/ndjson", "ndjson"}

// instantPattern is the FHIR instant format: a date and time to the second
// at least, with a time zone (https://hl7.org/fhir/R4/datatypes.html#instant).
var instantPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$`)

// parseKickoff validates the parameters of a kick-off at the given level.
// Unsupported parameters are refused when strict and otherwise returned
// as warnings.
func parseKickoff(params []param, level string, strict bool) (kickoff, error) {
	var k kickoff
	for _, p := range params {
		var err error
		switch p.name {
		case "_outputFormat":
			err = checkFormat(p.value)
		case "_since":
			k.since, err = parseSince(p.value)
		case "_type":
			k.types, err = addTypes(k.types, p.value)
		case "_deid":
			k.deid, err = parseDeid(p.value)
		case "patient":
			if level == levelSystem {
				err = k.unsupported(p, "is not applicable to a system-level export", strict)
				break
			}
			var id string
			if id, err = patientParam(p.value); err == nil {
				k.patients = append(k.patients, id)
			}
		default:
			err = k.unsupported(p, "is not supported", strict)
		}
		if err != nil {
			return kickoff{}, err
		}
	}
	return k, nil
}

// unsupported refuses parameter p when strict, otherwise records a warning.
func (k *kickoff) unsupported(p param, why string, strict bool) error {
	msg := fmt.Sprintf("parameter %s %s", p.name, why)
	if strict {
		return &paramError{msg + " (Prefer: handling=strict)"}
	}
	k.warnings = append(k.warnings, msg+"; it was ignored")
	return nil
}

// checkFormat accepts the NDJSON media types. A '+' sent unescaped in a
// query string arrives as a space, so spaces are read as '+'.
func checkFormat(v string) error {
	f := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(v), " ", "+"))
	if slices.Contains(outputFormats, f) {
		return nil
	}
	return &paramError{fmt.Sprintf("_outputFormat %q is not supported; use application/fhir+ndjson", v)}
}

// parseSince parses a FHIR instant (a '+' sent unescaped reads as a space).
func parseSince(v string) (*time.Time, error) {
	v = strings.ReplaceAll(strings.TrimSpace(v), " ", "+")
	if !instantPattern.MatchString(v) {
		return nil, &paramError{fmt.Sprintf("_since %q is not a FHIR instant such as 2024-01-31T12:00:00Z", v)}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, &paramError{fmt.Sprintf("_since %q: %v", v, err)}
	}
	return &t, nil
}

// addTypes adds the comma-separated resource types of v to types, once.
func addTypes(types []string, v string) ([]string, error) {
	for _, t := range strings.Split(v, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !fhir.IsResourceType(t) {
			return nil, &paramError{fmt.Sprintf("_type %q is not a FHIR R4 resource type", t)}
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	return types, nil
}

// patientParam returns the id of a patient parameter's reference.
func patientParam(ref string) (string, error) {
	id, ok := patientID(ref)
	if !ok {
		return "", &paramError{fmt.Sprintf("patient %q is not a reference to a Patient", ref)}
	}
	return id, nil
}

// queryParams returns the parameters of a GET kick-off.
func queryParams(r *http.Request) []param {
	var ps []param
	for name, values := range r.URL.Query() {
		for _, v := range values {
			ps = append(ps, param{name, v})
		}
	}
	slices.SortStableFunc(ps, func(a, b param) int { return strings.Compare(a.name, b.name) })
	return ps
}

// maxParametersBody bounds the Parameters body of a POST kick-off.
const maxParametersBody = 1 << 20

// bodyParams returns the parameters of a POST kick-off: its query string
// and its FHIR Parameters body, if any.
func bodyParams(r *http.Request) ([]param, error) {
	ps := queryParams(r)
	b, err := io.ReadAll(io.LimitReader(r.Body, maxParametersBody+1))
	if err != nil {
		return nil, fmt.Errorf("export: read kick-off body: %w", err)
	}
	if len(b) > maxParametersBody {
		return nil, &paramError{"the Parameters body is larger than 1 MiB"}
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return ps, nil
	}
	var body struct {
		ResourceType string `json:"resourceType"`
		Parameter    []struct {
			Name           string  `json:"name"`
			ValueString    *string `json:"valueString"`
			ValueInstant   *string `json:"valueInstant"`
			ValueCode      *string `json:"valueCode"`
			ValueBoolean   *bool   `json:"valueBoolean"`
			ValueReference *struct {
				Reference string `json:"reference"`
			} `json:"valueReference"`
		} `json:"parameter"`
	}
	if err := json.Unmarshal(b, &body); err != nil || body.ResourceType != "Parameters" {
		return nil, &paramError{"the kick-off body must be a FHIR Parameters resource in JSON"}
	}
	for _, p := range body.Parameter {
		var v string
		switch {
		case p.ValueString != nil:
			v = *p.ValueString
		case p.ValueInstant != nil:
			v = *p.ValueInstant
		case p.ValueCode != nil:
			v = *p.ValueCode
		case p.ValueBoolean != nil:
			v = fmt.Sprint(*p.ValueBoolean)
		case p.ValueReference != nil:
			v = p.ValueReference.Reference
		}
		ps = append(ps, param{p.Name, v})
	}
	return ps, nil
}

// preferences reads the Prefer header: whether it asks for strict
// handling. respond-async is assumed whether or not it is sent.
func preferences(r *http.Request) (strict bool) {
	for _, h := range r.Header.Values("Prefer") {
		for _, tok := range strings.FieldsFunc(h, func(c rune) bool { return c == ',' || c == ';' }) {
			tok = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tok), " ", ""))
			if tok == "handling=strict" {
				strict = true
			}
		}
	}
	return strict
}
