// Package fhirpath implements the subset of FHIRPath
// (http://hl7.org/fhirpath/N1/) that SQL-on-FHIR v2 ViewDefinitions use
// (https://sql-on-fhir.org/ig/latest/), evaluated directly over JSON.
//
// The main types are:
//
//   - [Node], a decoded JSON value, produced by a reusable [Decoder] that
//     decodes a resource once into an arena so that every expression of a
//     view reads the same tree;
//   - [Expr], the parsed syntax tree of an expression, produced by [Parse];
//     its String method prints an expression that parses to the same tree;
//   - [Value] and [Collection], the items an expression evaluates to;
//   - [Env], the per-evaluation inputs: the root resource, %constants and
//     %rowIndex.
//
// Expressions are compiled once with [Parse] and evaluated many times with
// [Eval]. The subset covers paths, indexers, $this, the operators
// (= != < > <= >= and or xor implies + - * / div mod & | is as), literals and
// the functions where, select, exists, empty, first, last, tail, skip, take,
// not, count, distinct, join, ofType, extension, getResourceKey,
// getReferenceKey, iif, contains, startsWith, endsWith, substring, lower,
// upper, length, lowBoundary and highBoundary, plus what the FHIR R4 search
// parameter expressions need: the functions as(T) (which, unlike the `as`
// operator, filters a collection of any size like ofType), is(T) and
// resolve(). Without a server, resolve() returns the contained resource a
// #id reference names, or else a stub {"resourceType": T, "id": id} taken
// from the reference itself, so where(resolve() is Patient) tests the
// reference's target type. A path may start with Resource (any resource)
// or DomainResource (any but Bundle, Binary and Parameters), as in
// Resource.meta.lastUpdated.
//
// FHIRPath normally needs the FHIR model to know element types. Without it,
// this package resolves a choice element such as Observation.value by
// looking for a field named value<Type> (for example valueQuantity) and
// remembers the type so that value.ofType(Quantity) works.
package fhirpath
