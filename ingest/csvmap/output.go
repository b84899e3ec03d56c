package csvmap

import (
	"encoding/json"
	"fmt"
)

// Output is one resource produced from a row. All outputs of a row are
// emitted together, after the whole row converted without error.
type Output struct {
	// Line is the CSV line where the row starts (the header is line 1).
	Line int
	// Alias is the name of the resource in the mapping.
	Alias string
	// Type is the resourceType and ID the logical id written in Resource.
	Type, ID string
	// IfNoneExist, when set, says the resource is to be created only if no
	// resource of Type matches this search query (FHIR's If-None-Exist,
	// e.g. identifier=http://hospital.example/mrn|12345, percent-encoded);
	// otherwise the matching resource is kept as it is. Other resources of
	// the row refer to it by the conditional reference Type?IfNoneExist.
	IfNoneExist string
	// Resource is the compact JSON of the resource.
	Resource json.RawMessage
}

// Stats counts what a conversion did.
type Stats struct {
	Rows      int // data rows read (the header excluded)
	Resources int // outputs emitted
	Rejected  int // rows skipped because of at least one RowError
}

// RowError is a problem with one row: it names the file, the line where
// the row starts and, when the problem comes from one cell, its column.
// The row is skipped; conversion goes on with the next row.
type RowError struct {
	File     string
	Line     int
	Column   string // CSV column name, "" when no single column is at fault
	Resource string // mapping alias of the resource concerned, or ""
	Err      error
}

// Error renders `file.csv:17: column "birth_date": "13/45/1962" is not a
// date in format MM/DD/YYYY`; the resource is named only when no column
// is at fault.
func (e *RowError) Error() string {
	where := fmt.Sprintf("%s:%d: ", e.File, e.Line)
	switch {
	case e.Column != "":
		where += fmt.Sprintf("column %q: ", e.Column)
	case e.Resource != "":
		where += fmt.Sprintf("resource %q: ", e.Resource)
	}
	return where + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *RowError) Unwrap() error { return e.Err }
