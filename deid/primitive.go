package deid

import (
	"strconv"
	"strings"
)

// primitive de-identifies one primitive value of type typ, member key of
// parent (of FHIR type parentType), and reports whether it is kept.
func (w *walker) primitive(parent, n *node, key, typ, parentType string) bool {
	switch typ {
	case "date", "dateTime":
		return n.Kind == jString && w.date(n, key)
	case "instant":
		return n.Kind == jString && w.instant(n, key, parentType)
	case "base64Binary":
		return parentType == "Attachment" && key == "data" && w.attachmentData(parent, n)
	case "xhtml":
		return false // only Narrative.div, handled with its Narrative
	case "markdown":
		return w.freeText(n)
	}
	if parentType == "Attachment" && key == "size" {
		return false // describes content that was removed or redacted
	}
	if n.Kind != jString {
		return true // numbers and booleans identify no one
	}
	switch parentType {
	case "Address":
		return w.address(n, key)
	case "Reference":
		return w.referenceMember(n, key)
	case "Identifier":
		if key == "value" {
			n.Str = w.d.keys.token(domainIdentifier, getString(parent, "system"), n.Str)
			return true
		}
	case "Attachment":
		switch key {
		case "url", "hash":
			return false
		case "title":
			return w.freeText(n)
		}
	case "Annotation":
		if key == "authorString" {
			return false
		}
	}
	return w.stringValue(n, key, typ, parentType)
}

// stringValue handles strings, codes, ids and URIs outside the datatypes
// with their own rules.
func (w *walker) stringValue(n *node, key, typ, parentType string) bool {
	switch {
	case key == "id" || key == "uid":
		n.Str = w.d.keys.token(domainID, n.Str)
		return true
	case key == "fullUrl" || key == "location":
		s, ok := w.refString(n.Str, false)
		n.Str = s
		return ok
	case key == "url" && parentType == "BackboneElement" && isRequestURL(n.Str):
		// Bundle.entry.request.url is required: keep at least the type.
		s, ok := w.refString(n.Str, true)
		if !ok {
			s = n.Str[:strings.IndexAny(n.Str, "/?")]
		}
		n.Str = s
		return true
	case pseudonymKeys[key]:
		n.Str = w.d.keys.token(domainIdentifier, key, n.Str)
		return true
	case key == "name" && namedResources[parentType]:
		n.Str = w.d.keys.token(domainName, n.Str)
		return true
	case typ == "string" && freeTextKeys[key] && parentType != "CodeableConcept":
		if key == "valueString" && w.keepText {
			return true
		}
		return w.freeText(n)
	case typ == "string":
		n.Str = w.d.red.patterns(n.Str)
		return n.Str != ""
	}
	return true
}

// isRequestURL reports whether s looks like Bundle.entry.request.url, a
// relative URL starting with a resource type.
func isRequestURL(s string) bool {
	end := strings.IndexAny(s, "/?")
	if end < 0 {
		end = len(s)
	}
	return isResourceType(s[:end])
}

// pseudonymKeys are strings that hold account, health plan, device or
// other record numbers outside an Identifier: they are replaced by a
// keyed pseudonym, so they still join.
var pseudonymKeys = map[string]bool{
	"subscriberId":     true, // Coverage: health plan beneficiary number
	"dependent":        true, // Coverage: dependent number
	"serialNumber":     true, // Device
	"lotNumber":        true, // Device, Immunization, Medication.batch
	"deviceIdentifier": true, // Device.udiCarrier
	"carrierHRF":       true, // Device.udiCarrier
	"accountNumber":    true,
}

// namedResources have a name that names a place or an organization, not
// a code: it is pseudonymised (it often holds a city).
var namedResources = map[string]bool{
	"Organization": true, "Location": true, "HealthcareService": true,
	"InsurancePlan": true, "Endpoint": true, "Group": true,
}

// freeTextKeys are string elements that hold narrative text written by
// people: removed, or redacted with Options.RedactText.
var freeTextKeys = map[string]bool{
	"comment": true, "comments": true, "description": true, "text": true, "note": true,
	"valueString": true, "patientInstruction": true, "conclusion": true, "summary": true,
	"authorString": true, "statusReason": true, "detail": true,
}

// freeText removes a free-text value, or redacts it with RedactText.
func (w *walker) freeText(n *node) bool {
	if !w.d.opts.RedactText || n.Kind != jString {
		return false
	}
	n.Str = w.d.red.redact(n.Str, w.names)
	return strings.TrimSpace(n.Str) != ""
}

// address keeps state, country, use and type; removes street lines, city,
// district and text; and generalises the postal code.
func (w *walker) address(n *node, key string) bool {
	switch key {
	case "line", "city", "district", "text":
		return false
	case "postalCode":
		z, ok := zip3(n.Str)
		n.Str = z
		return ok
	}
	return true
}

// referenceMember pseudonymises Reference.reference and removes
// Reference.display (it usually holds a person's name).
func (w *walker) referenceMember(n *node, key string) bool {
	switch key {
	case "reference":
		s, ok := w.refString(n.Str, false)
		n.Str = s
		return ok
	case "display":
		return false
	}
	return true
}

// date keeps the year of a date or dateTime, or shifts it (ShiftDates).
// Birth dates of people 90 or older become the aggregated year.
func (w *walker) date(n *node, key string) bool {
	if key == "birthDate" || key == "bornDate" {
		age, ok := birthAge(n.Str, w.d.opts.Now)
		if !ok {
			return false
		}
		if age >= oldestAge {
			n.Str = agedYear(w.d.opts.Now)
			return true
		}
	}
	if w.d.opts.ShiftDates {
		s, ok := shiftDate(n.Str, w.shift)
		n.Str = s
		return ok
	}
	y := yearOf(n.Str)
	n.Str = y
	return y != ""
}

// instant removes an optional instant (an instant cannot hold a year
// alone) or, for the required AuditEvent.recorded, Provenance.recorded
// and Signature.when, keeps its year as the first instant of that year.
// ShiftDates shifts it.
func (w *walker) instant(n *node, key, parentType string) bool {
	if w.d.opts.ShiftDates {
		s, ok := shiftDate(n.Str, w.shift)
		n.Str = s
		return ok
	}
	if key == "recorded" || (key == "when" && parentType == "Signature") {
		y := yearOf(n.Str)
		n.Str = y + "-01-01T00:00:00Z"
		return y != ""
	}
	return false
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
