package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/fhirlake/fhirlake/fhir"
)

// capabilityStatement is the subset of the R4 CapabilityStatement this
// server fills (https://hl7.org/fhir/R4/capabilitystatement.html).
type capabilityStatement struct {
	ResourceType   string         `json:"resourceType"`
	Status         string         `json:"status"`
	Date           string         `json:"date"`
	Kind           string         `json:"kind"`
	Software       software       `json:"software"`
	Implementation implementation `json:"implementation"`
	FHIRVersion    string         `json:"fhirVersion"`
	Format         []string       `json:"format"`
	Rest           []rest         `json:"rest"`
}

type software struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

type implementation struct {
	Description string `json:"description"`
}

type rest struct {
	Mode     string         `json:"mode"`
	Resource []restResource `json:"resource"`
}

type restResource struct {
	Type        string        `json:"type"`
	Interaction []interaction `json:"interaction"`
	Versioning  string        `json:"versioning"`
	ReadHistory bool          `json:"readHistory"`
}

type interaction struct {
	Code string `json:"code"`
}

// metadata serves GET /fhir/{datastore}/metadata: a CapabilityStatement
// advertising exactly what works, the read interaction in JSON, for each
// resource type of the data store.
func (h *handler) metadata(w http.ResponseWriter, r *http.Request) {
	if !allowRead(w, r) || !negotiate(w, r) {
		return
	}
	rd, ok := h.lookup(w, r)
	if !ok {
		return
	}
	types := fhir.ResourceTypes()
	if tl, ok := rd.(TypeLister); ok {
		got, err := tl.Types(r.Context())
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		types = slices.DeleteFunc(slices.Clone(got), func(t string) bool { return !fhir.IsResourceType(t) })
		slices.Sort(types)
	}
	body, err := json.Marshal(h.capabilities(r.PathValue("datastore"), types))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	writeJSON(w, r, http.StatusOK, body)
}

func (h *handler) capabilities(datastore string, types []string) capabilityStatement {
	name := h.opts.Software
	if name == "" {
		name = "fhirlake"
	}
	res := make([]restResource, len(types))
	for i, t := range types {
		res[i] = restResource{
			Type:        t,
			Interaction: []interaction{{Code: "read"}},
			Versioning:  "versioned",
		}
	}
	return capabilityStatement{
		ResourceType:   "CapabilityStatement",
		Status:         "active",
		Date:           h.published.Format(time.RFC3339),
		Kind:           "instance",
		Software:       software{Name: name, Version: h.opts.Version},
		Implementation: implementation{Description: "FHIR R4 read access to data store " + `"` + datastore + `"`},
		FHIRVersion:    "4.0.1",
		Format:         []string{"json"},
		Rest:           []rest{{Mode: "server", Resource: res}},
	}
}
