package deid

import (
	"strings"
	"sync"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/fhir/r4"
)

// info is what the R4 definitions say about one member of an object.
type info struct {
	typ  string // FHIR type code: "HumanName", "dateTime", "Resource", "BackboneElement"...
	path string // the path its members resolve under; "" for primitives
	drop bool   // unknown to the definitions: removed
}

// canonical gives, for each complex datatype, a path of the R4
// definitions that has that type and no choice on the way, so the members
// of a datatype reached through a choice (valueQuantity, valueReference,
// extension values) resolve like any other. Every entry is checked by
// TestCanonicalPaths. Datatypes missing here have no member the rules
// care about and are removed when reached through a choice, except
// SampledData (a series of measurements, reachable only through
// Observation.value[x]), which is kept as it is.
var canonical = map[string]string{
	"Address":             "Patient.address",
	"Age":                 "Observation.referenceRange.low",
	"Annotation":          "Observation.note",
	"Attachment":          "Patient.photo",
	"CodeableConcept":     "Observation.code",
	"Coding":              "Observation.code.coding",
	"ContactDetail":       "Library.contact",
	"ContactPoint":        "Patient.telecom",
	"Count":               "Observation.referenceRange.low",
	"DataRequirement":     "Library.dataRequirement",
	"Distance":            "Observation.referenceRange.low",
	"Dosage":              "MedicationRequest.dosageInstruction",
	"Duration":            "Observation.referenceRange.low",
	"Element":             "Patient.extension",
	"Expression":          "PlanDefinition.action.dynamicValue.expression",
	"Extension":           "Patient.extension",
	"HumanName":           "Patient.name",
	"Identifier":          "Patient.identifier",
	"Meta":                "Patient.meta",
	"Money":               "Invoice.totalNet",
	"Narrative":           "Patient.text",
	"ParameterDefinition": "Library.parameter",
	"Period":              "Encounter.period",
	"Quantity":            "Observation.referenceRange.low",
	"Range":               "Observation.referenceRange.age",
	"Ratio":               "Medication.ingredient.strength",
	"Reference":           "Observation.subject",
	"RelatedArtifact":     "Library.relatedArtifact",
	"Signature":           "Bundle.signature",
	"Timing":              "MedicationRequest.dosageInstruction.timing",
	"TriggerDefinition":   "PlanDefinition.action.trigger",
	"UsageContext":        "Library.useContext",
}

// typeCache memoises member lookups. Keys are bounded by the definitions:
// datatype members always resolve under their canonical path.
type typeCache struct {
	mu sync.RWMutex
	m  map[[2]string]info
}

func newTypeCache() *typeCache { return &typeCache{m: map[[2]string]info{}} }

// member returns what the definitions say about member key of an object
// whose members resolve under base.
func (c *typeCache) member(base, key string) info {
	k := [2]string{base, key}
	c.mu.RLock()
	in, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return in
	}
	in = lookup(base, key)
	c.mu.Lock()
	c.m[k] = in
	c.mu.Unlock()
	return in
}

// lookup resolves key under base against the R4 definitions.
func lookup(base, key string) info {
	if len(key) > 1 && key[0] == '_' {
		// The id and extensions of a primitive.
		if _, types, ok := r4.Element(base + "." + key[1:]); ok && len(types) == 1 && isPrimitive(types[0]) {
			return info{typ: "Element", path: canonical["Element"]}
		}
		return info{drop: true}
	}
	if _, types, ok := r4.Element(base + "." + key); ok {
		if len(types) != 1 {
			return info{drop: true} // a choice must carry its type suffix
		}
		return resolved(base+"."+key, types[0])
	}
	for i := len(key) - 1; i > 0; i-- {
		if key[i] < 'A' || key[i] > 'Z' {
			continue
		}
		_, types, ok := r4.Element(base + "." + key[:i])
		if !ok {
			continue
		}
		for _, t := range types {
			if strings.EqualFold(t, key[i:]) && t[1:] == key[i+1:] {
				if isPrimitive(t) {
					return info{typ: t}
				}
				if p, ok := canonical[t]; ok || t == "SampledData" {
					return info{typ: t, path: p}
				}
				return info{drop: true}
			}
		}
		break
	}
	return info{drop: true}
}

// resolved builds the info of an element of type typ at path.
func resolved(path, typ string) info {
	switch {
	case isPrimitive(typ):
		return info{typ: typ}
	case typ == "Resource":
		return info{typ: typ}
	case typ == "BackboneElement" || typ == "Element":
		return info{typ: "BackboneElement", path: path}
	}
	if p, ok := canonical[typ]; ok {
		return info{typ: typ, path: p}
	}
	return info{typ: typ, path: path}
}

// isPrimitive reports whether typ is a FHIR primitive type (lower-case
// first letter, as the type codes are).
func isPrimitive(typ string) bool {
	return typ != "" && typ[0] >= 'a' && typ[0] <= 'z'
}

// isResourceType reports whether s names a concrete R4 resource.
func isResourceType(s string) bool { return fhir.IsResourceType(s) }
