package search

import (
	"fmt"
	"slices"

	"github.com/fhirlake/fhirlake/fhir"
)

// Compartment restricts a search to one compartment
// (https://hl7.org/fhir/R4/compartmentdefinition.html), as in
// GET /Patient/123/Observation: the resources of the searched type that
// refer to Patient/123 through one of the compartment's parameters (and,
// for a search of the compartment's own type, the resource itself).
type Compartment struct {
	Type, ID string
	Params   []string
}

// InCompartment restricts q to the compartment of resource typ/id. It
// fails with a *QueryError when typ has no compartment or q.Type is not
// in it.
func (q *Query) InCompartment(typ, id string) error {
	byType, ok := compartmentParams[typ]
	if !ok {
		return &QueryError{"", fmt.Sprintf("%s is not a compartment type (Patient, Encounter, RelatedPerson, Practitioner, Device)", typ)}
	}
	if !fhir.ValidID(id) {
		return &QueryError{"", fmt.Sprintf("invalid id %q", id)}
	}
	params := byType[q.Type]
	if len(params) == 0 && q.Type != typ {
		return &QueryError{"", fmt.Sprintf("%s resources are not in the %s compartment", q.Type, typ)}
	}
	q.Compartment = &Compartment{Type: typ, ID: id, Params: params}
	return nil
}

// CompartmentTypes returns the resource types of the compartment of typ
// (those with a parameter linking them to it, and typ itself), sorted.
func CompartmentTypes(typ string) []string {
	byType := compartmentParams[typ]
	out := make([]string, 0, len(byType)+1)
	if byType != nil {
		out = append(out, typ)
	}
	for t := range byType {
		if t != typ {
			out = append(out, t)
		}
	}
	slices.Sort(out[min(1, len(out)):])
	return out
}

// InCompartmentOf reports whether the resource body lies in the
// compartment of typ/id: it is that resource, or one of its compartment
// parameters (the same that InCompartment searches) refers to it. A type
// with no parameter in the compartment is never in it. It is the check a
// read needs where a search adds InCompartment.
func InCompartmentOf(body []byte, typ, id string) (bool, error) {
	v, err := Extract(body)
	if v.ResourceType == "" {
		if err == nil {
			err = ErrNotResource
		}
		return false, fmt.Errorf("search: compartment of %s/%s: %w", typ, id, err)
	}
	// Parameters that failed to evaluate were dropped by Extract; the
	// others still decide (a resource is kept out if none refers).
	if v.ResourceType == typ && v.ID == id {
		return true, nil
	}
	params := compartmentParams[typ][v.ResourceType]
	for _, r := range v.References {
		if r.TargetType == typ && r.TargetID == id && slices.Contains(params, r.Param) {
			return true, nil
		}
	}
	return false, nil
}
