package linkage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// ScoreExtension is the URL of the extension on a Patient.link entry
// that records the linkage score (valueDecimal, in bits).
const ScoreExtension = "https://fhirlake.dev/fhir/StructureDefinition/link-score"

// LinkTo is one link to add to a Patient: the other Patient's id and the
// score of the pair.
type LinkTo struct {
	Other string
	Score float64
}

// LinksByPatient returns, for every patient in a Link match, the links to
// add to it: each Link match gives one in each direction. Possible matches
// are left out.
func LinksByPatient(matches []Match) map[string][]LinkTo {
	out := map[string][]LinkTo{}
	for _, m := range matches {
		if m.Decision != Link {
			continue
		}
		out[m.A] = append(out[m.A], LinkTo{Other: m.B, Score: m.Score})
		out[m.B] = append(out[m.B], LinkTo{Other: m.A, Score: m.Score})
	}
	return out
}

// fhirLink is a Patient.link entry (https://hl7.org/fhir/R4/patient.html).
type fhirLink struct {
	Extension []scoreExtension `json:"extension,omitempty"`
	Other     struct {
		Reference string `json:"reference"`
	} `json:"other"`
	Type string `json:"type"`
}

type scoreExtension struct {
	URL          string          `json:"url"`
	ValueDecimal json.RawMessage `json:"valueDecimal"`
}

// Apply adds to a Patient resource's JSON one Patient.link entry of type
// "seealso" for each of links whose Patient it does not already link to
// (by any link type), recording the score in [ScoreExtension]. Existing
// links and every other element are kept as they are, in their order.
// It returns the new JSON and true, or body itself and false when there
// was nothing to add, so applying the same links twice changes nothing.
// Apply never merges or removes anything.
func Apply(body []byte, links []LinkTo) ([]byte, bool, error) {
	fields, err := splitObject(body)
	if err != nil {
		return nil, false, err
	}
	var existing []json.RawMessage
	at := -1
	for i, f := range fields {
		if f.key == "link" {
			at = i
			if err := json.Unmarshal(f.value, &existing); err != nil {
				return nil, false, fmt.Errorf("linkage: apply: Patient.link: %w", err)
			}
		}
	}
	linked := linkedIDs(existing)
	added := false
	for _, l := range links {
		if linked[l.Other] {
			continue
		}
		linked[l.Other] = true
		raw, err := json.Marshal(newLink(l))
		if err != nil {
			return nil, false, fmt.Errorf("linkage: apply: %w", err)
		}
		existing = append(existing, raw)
		added = true
	}
	if !added {
		return body, false, nil
	}
	value, err := json.Marshal(existing)
	if err != nil {
		return nil, false, fmt.Errorf("linkage: apply: %w", err)
	}
	if at < 0 {
		fields = append(fields, field{key: "link", value: value})
	} else {
		fields[at].value = value
	}
	return joinObject(fields), true, nil
}

// newLink returns the Patient.link entry of l.
func newLink(l LinkTo) fhirLink {
	var fl fhirLink
	fl.Other.Reference = "Patient/" + l.Other
	fl.Type = "seealso"
	score := math.Round(l.Score*100) / 100
	fl.Extension = []scoreExtension{{URL: ScoreExtension, ValueDecimal: json.RawMessage(fmt.Sprintf("%.2f", score))}}
	return fl
}

// linkedIDs returns the ids of the Patients that links refer to, by a
// relative (Patient/id) or absolute (…/Patient/id) reference.
func linkedIDs(links []json.RawMessage) map[string]bool {
	ids := map[string]bool{}
	for _, raw := range links {
		var l fhirLink
		if json.Unmarshal(raw, &l) != nil {
			continue
		}
		ref := l.Other.Reference
		if i := strings.LastIndex(ref, "Patient/"); i >= 0 && (i == 0 || ref[i-1] == '/') {
			ids[strings.TrimSuffix(ref[i+len("Patient/"):], "/")] = true
		}
	}
	return ids
}

// field is one member of a JSON object.
type field struct {
	key   string
	value json.RawMessage
}

// splitObject returns the members of a JSON object in order.
func splitObject(body []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("linkage: apply: resource is not a JSON object")
	}
	var fields []field
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("linkage: apply: %w", err)
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("linkage: apply: member %q: %w", key, err)
		}
		fields = append(fields, field{key: key, value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("linkage: apply: %w", err)
	}
	return fields, nil
}

// joinObject writes fields back as a compact JSON object.
func joinObject(fields []field) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(f.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}
