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

// Schema returns the Arrow schema of the view's record batches, and so of
// its Parquet files and SQL tables: one field per column in the order the
// specification defines, except that every date or dateTime column is
// followed by its companion string column <name>_raw (see [RawSuffix]).
// Every field is nullable. [View.Columns] lists the view's own columns,
// without the companions.
func (v *View) Schema() *arrow.Schema { return v.schema }

// Columns returns the output column names in order. They are the columns
// of [View.Evaluate]'s rows; [View.Schema] may have more fields.
func (v *View) Columns() []string {
	out := make([]string, len(v.columns))
	for i, c := range v.columns {
		out[i] = c.name
	}
	return out
}

// buildSchema lists v's columns and returns the Arrow schema of its
// record batches. It assumes checkRawNames passed.
func (v *View) buildSchema() *arrow.Schema {
	v.columns = v.root.allColumns()
	fields := make([]arrow.Field, 0, len(v.columns))
	for _, c := range v.columns {
		t := c.kind.arrowType()
		if c.collection {
			t = arrow.ListOf(t)
		}
		f := arrow.Field{Name: c.name, Type: t, Nullable: true}
		if c.fhirType != "" {
			// Keep the FHIR type for readers that want more than the Arrow type.
			f.Metadata = arrow.NewMetadata([]string{"fhir_type"}, []string{c.fhirType})
		}
		fields = append(fields, f)
		if c.kind.hasRaw() {
			fields = append(fields, rawField(c))
		}
	}
	return arrow.NewSchema(fields, nil)
}

// rawField is the companion string field of a date or dateTime column.
func rawField(c *column) arrow.Field {
	var t arrow.DataType = arrow.BinaryTypes.String
	if c.collection {
		t = arrow.ListOf(t)
	}
	return arrow.Field{Name: c.name + RawSuffix, Type: t, Nullable: true,
		Metadata: arrow.NewMetadata([]string{"fhir_type", "raw_of"}, []string{c.fhirType, c.name})}
}

// checkRawNames returns an error when one of v's columns has the name of
// another column's generated _raw companion. It needs v.columns, so it
// runs after buildSchema.
func (v *View) checkRawNames() error {
	byName := make(map[string]*column, len(v.columns))
	for _, c := range v.columns {
		byName[c.name] = c
	}
	for _, c := range v.columns {
		if other := byName[c.name+RawSuffix]; c.kind.hasRaw() && other != nil {
			return v.errorAt(other.ptr, "column %q has the name of the generated companion of %s column %q",
				other.name, c.fhirType, c.name)
		}
	}
	return nil
}
