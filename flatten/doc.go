// Package flatten evaluates SQL-on-FHIR v2 ViewDefinitions
// (https://sql-on-fhir.org/ig/latest/StructureDefinition-ViewDefinition.html)
// over FHIR JSON resources and produces Arrow record batches and Parquet
// files.
//
// The main types are:
//
//   - [ViewDefinition], a parsed ViewDefinition resource ([ParseView]);
//   - [View], a validated view with every FHIRPath expression compiled
//     once ([Compile]); [View.Evaluate] turns one resource into rows of Go
//     values and [View.Schema] gives the Arrow schema;
//   - [Builder], which appends the rows of many resources into Arrow
//     arrays and hands them out as record batches ([View.NewBuilder]);
//   - [ParquetWriter], which writes those batches as zstd Parquet;
//   - [DefaultViews], the embedded views for common resource types
//     (patient, observation, ...).
//
// Typical use:
//
//	vd, err := flatten.ParseView(data)
//	v, err := flatten.Compile(vd)
//	b := v.NewBuilder(memory.DefaultAllocator)
//	defer b.Release()
//	for _, res := range resources {
//		if err := b.Append(res); err != nil { ... }
//	}
//	rec := b.NewRecord()
//	defer rec.Release()
//	w, err := flatten.NewParquetWriter(out, v.Schema())
//	err = w.Write(rec)
//	err = w.Close()
//
// Column types follow the column's FHIR type: boolean → bool; integer,
// positiveInt, unsignedInt and integer64 → int64; decimal → float64; date →
// date32 (partial dates map to the first day); dateTime and instant →
// timestamp(µs, UTC) (partial values map to the start of the period,
// offsets are converted to UTC); everything else, and columns without a
// type, → utf8 (complex values as compact JSON). A column with
// collection: true is a list of its element type.
//
// FHIRPath is evaluated by the sibling package fhirpath, over a JSON tree
// decoded once per resource.
package flatten
