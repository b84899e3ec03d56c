package normalize

import (
	"errors"
	"fmt"
)

// Rule names the normalisation rule behind a Change.
type Rule string

// The rules, in the order they apply to one value.
const (
	RuleDate         Rule = "date"          // date, dateTime and instant canonical forms
	RuleCodeSystem   Rule = "code-system"   // Coding.system and Quantity.system to canonical URIs
	RuleCodeSpace    Rule = "code-space"    // whitespace trimmed and collapsed in code values
	RuleCodeCase     Rule = "code-case"     // upper-case codes of ICD, LOINC, CPT and HCPCS
	RuleRequiredCode Rule = "required-code" // case of codes from small required value sets (Male -> male)
	RuleUCUM         Rule = "ucum"          // Quantity code and system for common units
	RulePhone        Rule = "phone"         // ContactPoint phone, fax and sms numbers
	RuleEmail        Rule = "email"         // ContactPoint email addresses
)

// Change records one rewritten (or added) value for the audit report.
type Change struct {
	// Path is the FHIRPath-like location of the value, starting with the
	// resource type: Observation.valueQuantity.code,
	// Patient.telecom[0].value. Contained resources continue their
	// container's path (Patient.contained[0].birthDate).
	Path string `json:"path"`
	// From is the value as it was; "" when the element was added.
	From string `json:"from,omitempty"`
	// To is the new value.
	To string `json:"to"`
	// Rule is the rule that made the change.
	Rule Rule `json:"rule"`
}

// TagSystem and TagCode identify the meta.tag coding added to every
// resource the normaliser changed.
const (
	TagSystem = "https://fhirlake.dev/fhir/CodeSystem/normalized"
	TagCode   = "normalized"
)

// Options configures a Normalizer. The zero value is the default.
type Options struct {
	// CallingCode is the country calling code (digits, "1" for NANP, "44"
	// for the UK) given to national phone, fax and sms numbers that have no
	// leading "+". Default "": national numbers keep their national digits.
	CallingCode string
	// TrunkPrefix is the national trunk prefix dropped from a national
	// number before CallingCode is added ("1" for NANP, "0" for most of
	// Europe). Default "": nothing is dropped. Ignored without CallingCode.
	TrunkPrefix string
}

// Normalizer standardises FHIR R4 resources. It is safe for concurrent
// use.
type Normalizer struct {
	opts Options
}

// New returns a Normalizer with the given options.
func New(opts Options) *Normalizer {
	return &Normalizer{opts: opts}
}

// ErrInvalid is wrapped by the errors Normalize returns for a body that is
// not a JSON object with a known R4 resourceType.
var ErrInvalid = errors.New("normalize: not a FHIR R4 resource")

// Normalize standardises one resource. When nothing needs to change it
// returns body itself (the same slice, byte-identical) and no changes.
// Otherwise it returns a new slice: body with the rewritten values spliced
// in (everything else, including whitespace and member order, is kept), the
// normalized meta.tag added once to the top-level resource, and the list of
// changes in the order the walk met them (the system, code, unit and value
// members of a Coding, Quantity or ContactPoint come after that object's
// other members). It never modifies body. The error wraps ErrInvalid for
// bodies that are not JSON objects with a known R4 resourceType; a body
// that is valid JSON but not valid FHIR is still normalised where it can
// be.
func (n *Normalizer) Normalize(body []byte) (out []byte, changes []Change, err error) {
	s, err := loadSchema()
	if err != nil {
		return nil, nil, err
	}
	w := walker{scanner: scanner{data: body}, opts: &n.opts, s: s}
	if err := w.resource(); err != nil {
		return nil, nil, err
	}
	if len(w.edits) == 0 {
		return body, nil, nil
	}
	tag, err := tagEdit(body)
	if err != nil {
		return nil, nil, fmt.Errorf("normalize: meta.tag: %w", err)
	}
	if tag != nil {
		w.edits = append(w.edits, *tag)
	}
	return applyEdits(body, w.edits), w.changes, nil
}
