package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// compartmentSteps is compartmentPaths with each path split at its dots.
var compartmentSteps = func() map[string][][]string {
	m := make(map[string][][]string, len(compartmentPaths))
	for typ, paths := range compartmentPaths {
		for _, p := range paths {
			m[typ] = append(m[typ], strings.Split(p, "."))
		}
	}
	return m
}()

// patientPrefix is in every reference to a Patient.
var patientPrefix = []byte("Patient/")

// inPatientCompartment reports whether a resource whose JSON is body is
// in the Patient compartment of one of patients, or of any patient when
// patients is nil. A Patient is in its own compartment.
func inPatientCompartment(typ, id string, body []byte, patients map[string]bool) (bool, error) {
	if typ == "Patient" && (patients == nil || patients[id]) {
		return true, nil
	}
	paths := compartmentSteps[typ]
	if len(paths) == 0 || !bytes.Contains(body, patientPrefix) {
		return false, nil // every patient reference contains "Patient/"
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return false, fmt.Errorf("export: %s/%s: %w", typ, id, err)
	}
	match := func(ref string) bool {
		pid, ok := patientID(ref)
		return ok && (patients == nil || patients[pid])
	}
	for _, steps := range paths {
		found, err := walkRefs(top[steps[0]], steps[1:], match)
		if err != nil {
			return false, fmt.Errorf("export: %s/%s: %s: %w", typ, id, strings.Join(steps, "."), err)
		}
		if found {
			return true, nil
		}
	}
	return false, nil
}

// walkRefs follows steps down from the JSON value v, through arrays, and
// reports whether match accepts the reference of a Reference found at the
// end of the path.
func walkRefs(v json.RawMessage, steps []string, match func(string) bool) (bool, error) {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 || v[0] == 'n' { // absent or null
		return false, nil
	}
	if v[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(v, &items); err != nil {
			return false, err
		}
		for _, it := range items {
			if found, err := walkRefs(it, steps, match); found || err != nil {
				return found, err
			}
		}
		return false, nil
	}
	if v[0] != '{' {
		return false, nil // a primitive where an element was expected
	}
	if len(steps) == 0 {
		var ref struct {
			Reference string `json:"reference"`
		}
		if err := json.Unmarshal(v, &ref); err != nil {
			return false, err
		}
		return match(ref.Reference), nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(v, &obj); err != nil {
		return false, err
	}
	return walkRefs(obj[steps[0]], steps[1:], match)
}

// patientID returns the id of the Patient a reference points to: a
// relative reference Patient/{id}, or an absolute URL ending in
// /Patient/{id}, either possibly followed by /_history/{version}.
func patientID(ref string) (string, bool) {
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	id, ok := strings.CutPrefix(ref, "Patient/")
	if !ok {
		i := strings.LastIndex(ref, "/Patient/")
		if i < 0 || !strings.Contains(ref[:i], "://") {
			return "", false
		}
		id = ref[i+len("/Patient/"):]
	}
	return id, fhir.ValidID(id)
}
