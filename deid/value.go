package deid

// value de-identifies one value of an element typed by in, held by
// parent (an object of FHIR type parentType whose members resolve under
// base), and reports whether it is kept.
func (w *walker) value(parent, n *node, key string, in info, parentType string) bool {
	switch in.typ {
	case "HumanName", "ContactPoint":
		return false // names, telephone and fax numbers, e-mail and web addresses
	case "Resource":
		return w.resource(n, w.shift)
	case "Narrative":
		return n.Kind == jObject && w.narrative(n)
	case "Annotation":
		return n.Kind == jObject && w.d.opts.RedactText && w.object(n, in.path, in.typ)
	case "Attachment":
		return n.Kind == jObject && w.attachment(n, in)
	case "Extension":
		return n.Kind == jObject && w.extension(n, in)
	case "SampledData":
		return n.Kind == jObject // measurements only
	case "Reference":
		// A reference left empty (display only, conditional, urn:oid:) is
		// masked rather than removed: many references are required.
		if n.Kind == jObject && !w.object(n, in.path, in.typ) {
			mask(n)
		}
		return n.Kind == jObject
	}
	if isPrimitive(in.typ) {
		if n.Kind == jObject || n.Kind == jArray {
			return false
		}
		return w.primitive(parent, n, key, in.typ, parentType)
	}
	if n.Kind != jObject || !w.object(n, in.path, in.typ) {
		return false
	}
	switch in.typ {
	case "Quantity", "Age", "Duration":
		capAge(n)
	}
	return true
}

// extension de-identifies an extension: geolocation and maiden names go
// whole; an extension left without a value or sub-extension goes too.
func (w *walker) extension(n *node, in info) bool {
	url := getString(n, "url")
	if url == "" || droppedExtensions[url] {
		return false
	}
	saved := w.keepText
	if codedExtensions[url] {
		w.keepText = true
	}
	ok := w.object(n, in.path, in.typ)
	w.keepText = saved
	if !ok {
		return false
	}
	for _, m := range n.Members {
		if m.Key == "extension" || (len(m.Key) > 5 && m.Key[:5] == "value") {
			return true
		}
	}
	return false
}

// droppedExtensions are removed whatever their value.
var droppedExtensions = map[string]bool{
	"http://hl7.org/fhir/StructureDefinition/geolocation":               true,
	"http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName": true,
	"http://hl7.org/fhir/StructureDefinition/humanname-own-name":        true,
	"http://hl7.org/fhir/StructureDefinition/humanname-partner-name":    true,
	"http://hl7.org/fhir/StructureDefinition/patient-birthTime":         true, // would keep the year of birth of the over-89s
}

// codedExtensions hold coded demographics whose text sub-extension is
// the display of a code, not free text, so it is kept.
var codedExtensions = map[string]bool{
	"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race":           true,
	"http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity":      true,
	"http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex":       true,
	"http://hl7.org/fhir/us/core/StructureDefinition/us-core-genderIdentity": true,
}

// capAge caps an age in years above 89 to 90.
func capAge(n *node) {
	unit, code := getString(n, "unit"), getString(n, "code")
	switch code {
	case "a":
	default:
		switch unit {
		case "a", "yr", "yrs", "year", "years", "Year", "Years", "y":
		default:
			return
		}
	}
	v := n.Get("value")
	if v == nil || v.Kind != jNumber {
		return
	}
	if f, ok := parseNumber(string(v.Raw)); ok && f > oldestAge-1 {
		v.Raw = []byte("90")
	}
}
