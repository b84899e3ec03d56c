package search

import "time"

// Values are the index values of one resource, grouped by parameter type
// so that each slice maps onto one columnar index table. Every value names
// the parameter Code it belongs to. A parameter may yield many values.
type Values struct {
	// ResourceType and ID identify the resource the values come from.
	ResourceType string
	ID           string

	Tokens     []TokenValue
	Strings    []StringValue
	Dates      []DateValue
	Numbers    []NumberValue
	Quantities []QuantityValue
	References []ReferenceValue
	URIs       []URIValue
	Composites []CompositeValue
	// Positions holds the values of the special parameter Location near.
	Positions []PositionValue
}

// Len returns the number of values of all types.
func (v *Values) Len() int {
	return len(v.Tokens) + len(v.Strings) + len(v.Dates) + len(v.Numbers) + len(v.Quantities) +
		len(v.References) + len(v.URIs) + len(v.Composites) + len(v.Positions)
}

// TokenValue is a coded value: from a Coding (system, code, display), each
// coding of a CodeableConcept (with the concept's text in Text; a concept
// with text but no coding gives one value with only Text), an Identifier
// (system, value as Code, type.text as Text), a ContactPoint (system such
// as phone or email, value as Code), or a code, id, uri, string or boolean
// primitive (Code only; "true" or "false" for booleans).
type TokenValue struct {
	Param   string
	System  string
	Code    string
	Display string
	// Text is what the :text modifier searches besides Display.
	Text string
	// TypeSystem and TypeCode are one coding of an Identifier's type, for
	// the :of-type modifier: an identifier with several type codings gives
	// one value per coding.
	TypeSystem string `json:",omitempty"`
	TypeCode   string `json:",omitempty"`
}

// StringValue is a string as written (Value) and normalized for matching
// (Norm: lower case with accents and other combining marks removed, so
// that a case- and accent-insensitive prefix match is a prefix match on
// Norm). HumanName gives one value for each of family, given, prefix,
// suffix and text; Address one for each line, city, district, state,
// postalCode, country and text.
type StringValue struct {
	Param string
	Value string
	Norm  string
}

// DateValue is the inclusive range of instants a date, dateTime, instant,
// Period or Timing covers, at millisecond resolution: "2020" covers
// 2020-01-01T00:00:00.000Z to 2020-12-31T23:59:59.999Z. Dates and
// dateTimes without a time zone are read as UTC. An open Period end is
// MinTime or MaxTime.
type DateValue struct {
	Param string
	Low   time.Time
	High  time.Time
}

// MinTime and MaxTime stand for the open ends of a Period or Timing.
var (
	MinTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)
)

// NumberValue is a number with the implicit range its precision gives:
// 100 covers [99.5, 100.5] and 100.00 covers [99.995, 100.005].
type NumberValue struct {
	Param string
	// Text is the decimal as written.
	Text  string
	Value float64
	Low   float64
	High  float64
}

// QuantityValue is a Quantity (also Age, Duration, Distance, Count,
// SimpleQuantity), Money (System urn:iso:std:iso:4217, Code the currency)
// or Range. Low and High are the range the value stands for: the implicit
// precision range of Value, widened to infinity on the open side of a
// comparator (<, <=, >, >=), or a Range's low and high (infinite when
// absent, and Value is NaN).
//
// For UCUM units this package understands (see [Canonical]), the
// Canonical fields hold the same quantity in the canonical unit
// CanonicalCode (g, m, L, s, K, Pa, mol/L, g/L, /s, ...); CanonicalCode is
// empty otherwise.
type QuantityValue struct {
	Param      string
	Text       string
	Value      float64
	Low        float64
	High       float64
	Comparator string
	System     string
	Code       string
	Unit       string

	CanonicalCode  string
	CanonicalValue float64
	CanonicalLow   float64
	CanonicalHigh  float64
}

// ReferenceValue is a reference to another resource.
//
//   - Relative Patient/1 or Patient/1/_history/2: TargetType, TargetID and
//     Version.
//   - Absolute http://x/fhir/Patient/1: URL as written (without
//     _history), plus TargetType, TargetID and Version when the URL ends
//     in a resource type and id.
//   - urn:uuid: and urn:oid: references: URL only, plus TargetType from
//     Reference.type.
//   - Contained #p1: TargetID "#p1" (never a valid id, so it cannot match
//     a search for Patient/p1) and TargetType from the contained resource.
//   - Canonical and uri values (a string, not a Reference): URL without
//     the |version suffix, Version from it, TargetType when the URL's
//     second-last segment is a resource type.
//   - Relative canonicals: Library/x (|version) as a relative reference;
//     any other text is kept whole as URL.
//   - Reference.identifier: IdentifierSystem and IdentifierValue, for the
//     :identifier modifier; a conditional reference
//     Type?identifier=system|value (Synthea's practitioner references)
//     fills TargetType and the identifier fields. Other conditional
//     references are not indexed.
//
// When the type is not otherwise known, it is Reference.type, or the one
// target of a parameter with a single target type.
type ReferenceValue struct {
	Param            string
	TargetType       string
	TargetID         string
	Version          string
	URL              string
	IdentifierSystem string
	IdentifierValue  string
}

// URIValue is a uri, url or canonical value as written.
type URIValue struct {
	Param string
	Value string
}

// PositionValue is a Location.position, for the special parameter near.
type PositionValue struct {
	Param     string
	Latitude  float64
	Longitude float64
}

// CompositeValue is one tuple of a composite parameter: one value for each
// component, taken from the same element (the same Observation.component
// for component-code-value-quantity). When a component has several values
// in one element (a CodeableConcept with two codings), the element gives
// one tuple for each combination.
type CompositeValue struct {
	Param string
	Parts []CompositePart
}

// CompositePart is one component value of a composite tuple. Code and Type
// are those of the component's parameter; only the field of that Type is
// set.
type CompositePart struct {
	Code      string
	Type      Type
	Token     TokenValue     `json:",omitzero"`
	String    StringValue    `json:",omitzero"`
	Date      DateValue      `json:",omitzero"`
	Number    NumberValue    `json:",omitzero"`
	Quantity  QuantityValue  `json:",omitzero"`
	Reference ReferenceValue `json:",omitzero"`
	URI       URIValue       `json:",omitzero"`
}
