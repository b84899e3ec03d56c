package flatten

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Name returns the view's name: vd.name, or the snake_case resource type
// (medication_request) when the view has none. It is a valid SQL
// identifier.
func (v *View) Name() string { return v.name }

// Resource returns the resource type the view reads, e.g. "Patient".
func (v *View) Resource() string { return v.def.Resource }

// Definition returns the ViewDefinition the view was compiled from.
func (v *View) Definition() *ViewDefinition { return v.def }

// Schema returns the Arrow schema of the view's rows, in the column order
// the specification defines. Every field is nullable.
func (v *View) Schema() *arrow.Schema { return v.schema }

// Columns returns the output column names in order.
func (v *View) Columns() []string {
	out := make([]string, len(v.columns))
	for i, c := range v.columns {
		out[i] = c.name
	}
	return out
}

func (v *View) buildSchema() *arrow.Schema {
	v.columns = v.root.allColumns()
	fields := make([]arrow.Field, len(v.columns))
	for i, c := range v.columns {
		t := c.kind.arrowType()
		if c.collection {
			t = arrow.ListOf(t)
		}
		fields[i] = arrow.Field{Name: c.name, Type: t, Nullable: true}
		if c.fhirType != "" {
			// Keep the FHIR type for readers that want more than the Arrow type.
			fields[i].Metadata = arrow.NewMetadata([]string{"fhir_type"}, []string{c.fhirType})
		}
	}
	return arrow.NewSchema(fields, nil)
}
