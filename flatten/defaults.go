package flatten

import (
	"embed"
	"io/fs"
	"sort"
)

//go:embed views/*.json
var viewFiles embed.FS

// DefaultViews returns the built-in views for common resource types
// (patient, encounter, condition, observation, observation_component,
// medication_request, procedure, immunization, allergy_intolerance,
// document_reference), sorted by name. Each call returns fresh values the
// caller may modify. Their first column is id; reference columns
// (patient_id, encounter_id, ...) hold the referenced resource's id.
//
// The embedded files are checked by the package tests, so a file that
// fails to parse cannot ship; such a file would be left out rather than
// panicking.
func DefaultViews() []*ViewDefinition {
	names, _ := fs.Glob(viewFiles, "views/*.json")
	sort.Strings(names)
	out := make([]*ViewDefinition, 0, len(names))
	for _, n := range names {
		data, err := viewFiles.ReadFile(n)
		if err != nil {
			continue
		}
		vd, err := ParseView(data)
		if err != nil {
			continue
		}
		out = append(out, vd)
	}
	return out
}
