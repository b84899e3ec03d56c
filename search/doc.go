// Package search holds the FHIR R4 search parameters
// (https://hl7.org/fhir/R4/search.html) and extracts their index values
// from resources.
//
// The parameter table is generated from the official R4
// search-parameters.json by search/internal/gen (go generate), one [Param]
// per parameter and base resource type; [Lookup] and [Params] read it. A
// parameter defined on several bases with a union expression
// (Observation.subject.where(resolve() is Patient) | Condition.subject...)
// keeps only the part for its base. The common parameters of every
// resource (_id, _lastUpdated, _tag, _profile, _security, _source) have
// Base Resource; _text (DomainResource) and _content have no expression
// and are extracted as full text (see extract_text.go: the narrative, and
// the resource's textual elements); _query is not supported. _list is not
// in the table: ParseQuery reads it (the entry.item references of a List).
//
// [ParseQuery] parses a request into a [Query], [NewPlan] turns it into
// the SQL of a [Plan] over the index tables (see index.go), with every
// value a bound parameter. The token modifiers :in and :not-in need the
// value sets' contents: the server resolves them with
// [Query.ResolveValueSets] and its own [ValueSets] before planning.
//
// [Extract] decodes a resource once and evaluates each parameter's
// FHIRPath expression with package flatten/fhirpath, converting the
// results into typed [Values], one slice per parameter type, ready for
// columnar index tables: [TokenValue], [StringValue] (with a case- and
// accent-folded form, see [Normalize]), [DateValue] (precision ranges,
// see [DateRange]), [NumberValue] (implicit precision ranges, see
// [DecimalRange]), [QuantityValue] (with UCUM canonical units, see
// [Canonical]), [ReferenceValue], [URIValue], [CompositeValue] and
// [PositionValue] (Location near).
//
// Semantics worth knowing:
//
//   - There is no FHIR structure model: the FHIR type of a result is known
//     from choice elements (valueQuantity) or guessed from its JSON shape
//     (an object with coding is a CodeableConcept, with family or given a
//     HumanName, ...).
//   - `X as T` in R4 expressions is evaluated as the function X.as(T),
//     which filters every item by type instead of failing on repeating
//     elements.
//   - resolve() does not read other resources: where(resolve() is Patient)
//     tests the type named by the reference itself (Patient/1,
//     http://x/Patient/1, urn:uuid with Reference.type) or the contained
//     resource a #id reference names. A urn:uuid reference without
//     Reference.type names no type, so such filters drop it; references
//     should be made relative (as a transaction does) before extraction.
//   - Union operands (A.x | A.y) are evaluated one by one and duplicate
//     values of one parameter are removed afterwards, instead of
//     FHIRPath's item-level union.
//   - Extract keeps going when one parameter's expression fails on odd
//     data, and reports it as a [ParamError] next to the other values.
//   - Dates and dateTimes without a time zone are read as UTC.
package search
