package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
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
	Mode        string         `json:"mode"`
	Resource    []restResource `json:"resource"`
	Interaction []interaction  `json:"interaction,omitempty"`
	Operation   []operation    `json:"operation,omitempty"`
}

type restResource struct {
	Type              string        `json:"type"`
	Interaction       []interaction `json:"interaction"`
	Versioning        string        `json:"versioning"`
	ReadHistory       bool          `json:"readHistory"`
	UpdateCreate      bool          `json:"updateCreate,omitempty"`
	ConditionalCreate bool          `json:"conditionalCreate,omitempty"`
	ConditionalRead   string        `json:"conditionalRead,omitempty"`
	ConditionalUpdate bool          `json:"conditionalUpdate,omitempty"`
	ConditionalDelete string        `json:"conditionalDelete,omitempty"`
	Operation         []operation   `json:"operation,omitempty"`
}

type operation struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
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
	_, writable := rd.(Store)
	if tl, ok := rd.(TypeLister); ok && !writable {
		got, err := tl.Types(r.Context())
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		types = slices.DeleteFunc(slices.Clone(got), func(t string) bool { return !fhir.IsResourceType(t) })
		slices.Sort(types)
	}
	body, err := json.Marshal(h.capabilities(r.PathValue("datastore"), types, writable))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	writeJSON(w, r, http.StatusOK, body)
}

// capabilities describes the data store: read only, or (writable) the
// full set of interactions a Store serves, every R4 type.
func (h *handler) capabilities(datastore string, types []string, writable bool) capabilityStatement {
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
		if writable {
			res[i] = restResource{
				Type: t,
				Interaction: []interaction{{Code: "read"}, {Code: "vread"}, {Code: "update"}, {Code: "patch"},
					{Code: "delete"}, {Code: "history-instance"}, {Code: "history-type"}, {Code: "create"}},
			}
			if h.opts.Searcher != nil {
				res[i].Interaction = append(res[i].Interaction, interaction{Code: "search-type"})
			}
			res[i] = restResource{
				Type:              t,
				Interaction:       res[i].Interaction,
				Versioning:        "versioned-update",
				ReadHistory:       true,
				UpdateCreate:      true,
				ConditionalCreate: true,
				ConditionalRead:   "full-support",
				ConditionalUpdate: true,
				ConditionalDelete: "single",
			}
			if h.exports && (t == "Patient" || t == "Group") {
				res[i].Operation = []operation{{Name: "export", Definition: exportDefinition(t)}}
			}
			if t == "Patient" && h.opts.Searcher != nil {
				res[i].Operation = append(res[i].Operation, operation{Name: "everything", Definition: "http://hl7.org/fhir/OperationDefinition/Patient-everything"})
			}
		}
	}
	rs := rest{Mode: "server", Resource: res}
	desc := "FHIR R4 read access to data store " + `"` + datastore + `"`
	if writable {
		desc = "FHIR R4 server for data store " + `"` + datastore + `"`
		rs.Interaction = []interaction{{Code: "transaction"}, {Code: "batch"}, {Code: "history-system"}}
		if h.opts.Searcher != nil {
			rs.Interaction = append(rs.Interaction, interaction{Code: "search-system"})
		}
		if h.exports {
			rs.Operation = []operation{{Name: "export", Definition: exportDefinition("")}}
		}
	}
	return capabilityStatement{
		ResourceType:   "CapabilityStatement",
		Status:         "active",
		Date:           h.published.Format(time.RFC3339),
		Kind:           "instance",
		Software:       software{Name: name, Version: h.opts.Version},
		Implementation: implementation{Description: desc},
		FHIRVersion:    "4.0.1",
		Format:         []string{"json"},
		Rest:           []rest{rs},
	}
}

// exportDefinition is the canonical OperationDefinition of the Bulk Data
// export at system, Patient or Group level.
func exportDefinition(level string) string {
	switch level {
	case "Patient":
		return "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"
	case "Group":
		return "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"
	}
	return "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"
}

// smartConfiguration serves {base}/.well-known/smart-configuration
// (SMART App Launch, "Metadata"), public like the CapabilityStatement.
func (h *handler) smartConfiguration(w http.ResponseWriter, r *http.Request) {
	base := strings.TrimSuffix(baseURL(r), "/fhir/")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(h.opts.SMARTConfiguration(base))
}
