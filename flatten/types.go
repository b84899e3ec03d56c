package flatten

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Timestamp is the Arrow type of dateTime and instant columns. Parquet
// stores it as TIMESTAMP(MICROS, isAdjustedToUTC=true), which DuckDB reads
// as TIMESTAMP WITH TIME ZONE.
var Timestamp = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// Decimal is the Arrow type of decimal columns: 38 digits of precision, 9
// of them after the decimal point. Parquet stores it as DECIMAL(38,9) and
// DuckDB reads it as DECIMAL(38,9).
var Decimal = &arrow.Decimal128Type{Precision: decimalPrecision, Scale: decimalScale}

const (
	decimalPrecision = 38
	decimalScale     = 9
)

// Time is the Arrow type of time columns (microseconds since midnight).
var Time = arrow.FixedWidthTypes.Time64us

// RawSuffix is appended to the name of a date or dateTime column to name
// its companion string column, which holds the value exactly as written
// in the resource (so that partial dates such as "1970" are kept).
const RawSuffix = "_raw"

// valueKind is how a column's values are converted for Arrow.
type valueKind uint8

const (
	kindString valueKind = iota
	kindBool
	kindInt
	kindDecimal
	kindDate
	kindDateTime // dateTime: a timestamp plus a _raw companion
	kindInstant  // instant: always full precision, no companion
	kindTime
	kindBinary
)

// fhirTypes maps the FHIR primitive types a column may declare to their
// value kind. Complex types (starting with an uppercase letter) are
// written as JSON text; other types not listed are rejected by Compile.
var fhirTypes = map[string]valueKind{
	"": kindString, "string": kindString, "code": kindString, "id": kindString,
	"uri": kindString, "url": kindString, "canonical": kindString, "markdown": kindString,
	"oid": kindString, "uuid": kindString, "xhtml": kindString,
	"boolean": kindBool,
	"integer": kindInt, "positiveInt": kindInt, "unsignedInt": kindInt, "integer64": kindInt,
	"decimal":      kindDecimal,
	"date":         kindDate,
	"dateTime":     kindDateTime,
	"instant":      kindInstant,
	"time":         kindTime,
	"base64Binary": kindBinary,
}

// arrowType is the Arrow type of one value of kind k.
func (k valueKind) arrowType() arrow.DataType {
	switch k {
	case kindBool:
		return arrow.FixedWidthTypes.Boolean
	case kindInt:
		return arrow.PrimitiveTypes.Int64
	case kindDecimal:
		return Decimal
	case kindDate:
		return arrow.FixedWidthTypes.Date32
	case kindDateTime, kindInstant:
		return Timestamp
	case kindTime:
		return Time
	case kindBinary:
		return arrow.BinaryTypes.Binary
	}
	return arrow.BinaryTypes.String
}

// hasRaw reports whether columns of kind k get a _raw companion column:
// date and dateTime, whose values may be partial.
func (k valueKind) hasRaw() bool { return k == kindDate || k == kindDateTime }

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
