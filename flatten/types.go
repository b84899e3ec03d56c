package flatten

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Timestamp is the Arrow type of dateTime and instant columns.
var Timestamp = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// valueKind is how a column's values are converted for Arrow.
type valueKind uint8

const (
	kindString valueKind = iota
	kindBool
	kindInt
	kindFloat
	kindDate
	kindTimestamp
)

// fhirTypes maps the FHIR primitive types a column may declare to their
// value kind. Complex types (starting with an uppercase letter) are
// written as JSON text; other types not listed are rejected by Compile.
var fhirTypes = map[string]valueKind{
	"": kindString, "string": kindString, "code": kindString, "id": kindString,
	"uri": kindString, "url": kindString, "canonical": kindString, "markdown": kindString,
	"base64Binary": kindString, "time": kindString, "oid": kindString, "uuid": kindString,
	"xhtml":   kindString,
	"boolean": kindBool,
	"integer": kindInt, "positiveInt": kindInt, "unsignedInt": kindInt, "integer64": kindInt,
	"decimal":  kindFloat,
	"date":     kindDate,
	"dateTime": kindTimestamp, "instant": kindTimestamp,
}

func (k valueKind) arrowType() arrow.DataType {
	switch k {
	case kindBool:
		return arrow.FixedWidthTypes.Boolean
	case kindInt:
		return arrow.PrimitiveTypes.Int64
	case kindFloat:
		return arrow.PrimitiveTypes.Float64
	case kindDate:
		return arrow.FixedWidthTypes.Date32
	case kindTimestamp:
		return Timestamp
	}
	return arrow.BinaryTypes.String
}

// columnKind returns the value kind of a column's FHIR type.
func columnKind(fhirType string) (valueKind, error) {
	k, ok := fhirTypes[fhirType]
	if !ok && fhirType[0] >= 'A' && fhirType[0] <= 'Z' {
		return kindString, nil // a complex type, written as JSON
	}
	if !ok {
		return 0, fmt.Errorf("unsupported type %q", fhirType)
	}
	return k, nil
}
