// Package csvmap converts CSV extracts (a hospital's patients or lab
// results export) into FHIR R4 resources, as a declarative mapping file
// says. It is pure Go and streams: rows are read one at a time with
// encoding/csv, so files of any size convert in constant memory.
//
// # Mapping language
//
// A mapping is a YAML or JSON document (JSON is read as YAML) decoded
// strictly: an unknown key is an error naming its line. README.md in this
// directory is the full reference, with two worked examples that are also
// the package's test fixtures. In short:
//
//	name: hospital-a-labs          # part of every hashed id
//	delimiter: ","                 # one character, or "tab"
//	lookups:                       # local value -> code / Coding
//	  status: {values: {F: {code: final}, P: {code: preliminary}}}
//	resources:
//	  - alias: patient             # found or created by business identifier
//	    type: Patient
//	    ifNoneExist: identifier[0]
//	    fields:
//	      - {path: 'identifier[0].system', fixed: "http://hospital-a.example/mrn"}
//	      - {path: 'identifier[0].value', column: MRN, required: true}
//	  - alias: result
//	    type: Observation
//	    id: "lab-{{row.ACCESSION}}"
//	    fields:
//	      - {path: status, column: STATUS, lookup: status}
//	      - {path: subject, ref: patient}
//	      - {path: valueQuantity.value, column: RESULT, type: decimal}
//	      - {path: effectiveDateTime, column: TAKEN, type: dateTime,
//	         format: "MM/DD/YYYY HH:mm", timezone: America/Chicago}
//
// Each field writes one element path (name[0].given[1]) from exactly one
// source: a column, a template ("{{row.FIRST}} {{row.LAST}}"), a fixed
// JSON value or a reference to another resource of the row. Column values
// are trimmed and converted to string, code, integer, decimal, boolean,
// date, dateTime, instant, or through a lookup table to a code or a
// Coding. Empty cells are omitted (objects and arrays left empty vanish,
// and gaps in arrays close up); required makes them an error.
//
// # Rows, resources, ids and references
//
// Each row yields the mapping's resources in order ([Output]). Ids are
// never random: an id template, or a hash of (mapping name, alias, key
// columns), so importing the same file twice gives the same ids. A
// resource with ifNoneExist is "found or created" by its identifier: its
// Output carries IfNoneExist (identifier=system|value, escaped) and other
// resources refer to it as Patient?identifier=system|value.
//
// # Errors
//
// Problems with a row are [*RowError] values naming file, line and column
// (`labs.csv:17: column "COLLECTED": "13/45/1962 08:00" is not a dateTime
// in format MM/DD/YYYY HH:mm`); the row is skipped and conversion goes on.
// Every produced resource is also checked with the R4 validator
// (fhir/r4.Validate) unless the mapping says validate: false. Only a
// missing or unusable header stops a file ([ErrHeader]); mapping problems
// wrap [ErrMapping].
package csvmap
