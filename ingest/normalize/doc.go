// Package normalize standardises FHIR R4 resources on import and records
// every change it makes, so the rewrite can be audited (issue 8).
//
// A [Normalizer], made by [New] with [Options], rewrites one resource's
// JSON at a time with [Normalizer.Normalize], which returns the new JSON
// and the list of [Change]s (path, old value, new value, [Rule]). A
// resource that needs nothing is returned as the very same bytes, so the
// import's deduplication still sees it as unchanged. A changed resource
// keeps its member order and formatting: only the rewritten strings are
// replaced and the added members inserted. It also gets one meta.tag
// coding ([TagSystem] | [TagCode]) on the top-level resource; the tag
// itself is not listed as a Change.
//
// Rules only touch elements by their FHIR type, found in the element
// table generated from the R4 StructureDefinitions of package fhir/r4
// (elements.txt, made by internal/gen from fhir/r4/defs.txt.gz); member
// names alone never decide. Contained resources, Bundle entries,
// extensions (valueX) and primitive extensions (_x) are followed.
//
//   - date: date, dateTime and instant values to their canonical form
//     without inventing precision: 2020-3-5 -> 2020-03-05,
//     2020-03-05T10:00:00+0000 -> 2020-03-05T10:00:00+00:00, a lower-case z
//     or " UTC" -> Z, 2020/03/05 and 20200305 -> 2020-03-05, "T" for a
//     space. 2020-03 stays 2020-03. hh:mm gets seconds :00, as FHIR has no
//     minute precision. A value is rewritten only when the result is valid
//     for its type: a dateTime with a time but no zone is left as it is
//     (validation reports it; no zone is guessed), and so is 03/05/2020,
//     whose day and month order is ambiguous.
//   - code-system: Coding.system and Quantity.system given as a name
//     (SNOMED CT, LOINC, ICD-10-CM...), an OID (with or without urn:oid:)
//     or a URI variant become the canonical URI (systems.go lists them with
//     their sources). Identifier.system is not touched.
//   - code-space: every code value (code-typed elements and Coding.code)
//     is trimmed and each run of whitespace inside it becomes one space.
//   - code-case: Coding.code is upper-cased for systems whose codes have
//     upper-case letters (ICD-9-CM, ICD-10, ICD-10-CM, ICD-10-PCS, LOINC,
//     CPT, HCPCS). Codes of other and unknown systems keep their case.
//   - required-code: a code element bound (required) to a small value set
//     listed in the definitions gets that set's code when it matches
//     ignoring case and exactly one code matches (Male -> male,
//     ContactPoint.system Phone -> phone).
//   - ucum: in Quantity, Age, Count, Distance and Duration, a unit the UCUM
//     table (ucum.go, about 50 common clinical units) knows gets its UCUM
//     code and the UCUM system: code mg/dl -> mg/dL, mmHg -> mm[Hg],
//     lbs -> [lb_av]; with no code, the code comes from the unit text. Only
//     when system is absent or UCUM. The unit text and the value are never
//     changed.
//   - phone: ContactPoint values with system phone, fax or sms made only of
//     digits, a leading "+" and formatting (space - . ( ) /) lose the
//     formatting: "+1 (555) 123-4567" -> +15551234567. National numbers
//     get "+" and [Options.CallingCode] (after dropping
//     [Options.TrunkPrefix]) when it is set, and keep their national digits
//     otherwise (the default). Values with letters are left alone.
//   - email: ContactPoint email values are trimmed, lose a mailto: prefix
//     and get a lower-case domain; the local part keeps its case.
//
// Rules are idempotent: normalising the output again changes nothing
// (FuzzNormalize checks it). The walk reads the JSON once without building
// a tree; an unchanged Synthea Observation takes a few microseconds
// (BenchmarkNormalize).
package normalize
