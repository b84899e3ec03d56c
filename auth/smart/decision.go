package smart

import "fmt"

// Decision is the answer to "may this principal do this interaction on
// this resource type?".
//
// When Allowed, the caller must still apply the restrictions: a resource
// is visible (or may be written) only if it lies in Patient's compartment
// when Patient is set, and matches at least one of Filters when Filters is
// not empty. For a search the restrictions are added to the query, so that
// nothing outside them is counted, included or returned; for a read of a
// resource outside them, answer as if it did not exist.
type Decision struct {
	Allowed bool
	// Patient is the patient id whose compartment bounds the access; empty
	// means no compartment restriction.
	Patient string
	// Filters are alternatives from the scopes' query parameters; empty
	// means no such restriction.
	Filters []Filter
	// Reason says why access was refused (empty when Allowed).
	Reason string
}

// grant is what one scope contributes to a decision.
type grant struct {
	patient string
	filter  Filter
}

// Allows decides whether p may perform interaction on resourceType.
//
// Every resource scope whose type ("*" or equal) and permissions cover
// the interaction grants it; a patient/ scope grants nothing unless the
// token carried a patient claim, and then restricts to that patient's
// compartment. The grants are combined as documented on combine.
func (p Principal) Allows(interaction Interaction, resourceType string) Decision {
	perm := interaction.permission()
	if perm == 0 {
		return deny("unknown interaction")
	}
	if !fhirType(resourceType) {
		return deny(fmt.Sprintf("unknown resource type %q", resourceType))
	}
	var grants []grant
	for _, s := range p.Scopes {
		if !s.grants(perm, resourceType) {
			continue
		}
		g := grant{filter: s.Filter}
		if s.Context == PatientContext {
			if p.Patient == "" {
				continue
			}
			g.patient = p.Patient
		}
		grants = append(grants, g)
	}
	if len(grants) == 0 {
		return deny(fmt.Sprintf("no scope grants %s on %s", interaction, resourceType))
	}
	return combine(grants)
}

// combine merges grants, each an alternative way in, into one Decision.
// It is exact except when compartment-restricted grants are mixed with
// user/system grants that carry filters and none without: the union
// "compartment OR filter" has no single Decision form, so the decision
// keeps only the patient grants. It may then refuse something a scope
// allows, but it never allows something no scope does.
func combine(grants []grant) Decision {
	var filtered []Filter
	var patient string
	var open, patientOpen bool
	var patientFilters []Filter
	for _, g := range grants {
		switch {
		case g.patient == "" && len(g.filter) == 0:
			open = true
		case g.patient == "":
			filtered = append(filtered, g.filter)
		default:
			patient = g.patient
			if len(g.filter) == 0 {
				patientOpen = true
			} else {
				patientFilters = append(patientFilters, g.filter)
			}
		}
	}
	switch {
	case open:
		return Decision{Allowed: true}
	case patient == "":
		return Decision{Allowed: true, Filters: filtered}
	case patientOpen:
		return Decision{Allowed: true, Patient: patient}
	}
	return Decision{Allowed: true, Patient: patient, Filters: patientFilters}
}

// deny builds a refusal.
func deny(reason string) Decision { return Decision{Reason: "smart: " + reason} }

// Intersect returns a decision that allows only what both a and b allow:
// the stricter compartment and, when both carry filters, every pairing of
// one filter from each (their conjunction).
func Intersect(a, b Decision) Decision {
	switch {
	case !a.Allowed:
		return a
	case !b.Allowed:
		return b
	case a.Patient != "" && b.Patient != "" && a.Patient != b.Patient:
		return deny("decisions restrict to different patients")
	}
	d := Decision{Allowed: true, Patient: a.Patient}
	if d.Patient == "" {
		d.Patient = b.Patient
	}
	switch {
	case len(a.Filters) == 0:
		d.Filters = b.Filters
	case len(b.Filters) == 0:
		d.Filters = a.Filters
	default:
		for _, fa := range a.Filters {
			for _, fb := range b.Filters {
				d.Filters = append(d.Filters, append(append(Filter{}, fa...), fb...))
			}
		}
	}
	return d
}

// Everything decides, for a Patient/$everything (or Group export) that
// could return the given resource types, which of them p may see. A type
// needs both read and search; the returned map holds only allowed types,
// each with the intersection of its read and search restrictions. Types
// missing from the map must be left out of the result.
func (p Principal) Everything(types []string) map[string]Decision {
	out := make(map[string]Decision, len(types))
	for _, t := range types {
		d := Intersect(p.Allows(Read, t), p.Allows(Search, t))
		if d.Allowed {
			out[t] = d
		}
	}
	return out
}
