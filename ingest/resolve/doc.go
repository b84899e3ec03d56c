// Package resolve links and deduplicates the resources of an import on
// their way to the store. Its Sink wraps a Store (a *store.Store) and is
// an ingest.Sink: ingest.Import hands it each batch, it rewrites the
// batch and writes it with one store Put; Finish, called once after the
// import, retries what could not be resolved yet and returns a Report.
//
// # Linking
//
//   - A conditional reference, `Type?identifier=system|value` (or
//     `Type?identifier=value`, any system; percent-encoding allowed),
//     becomes `Type/id` when exactly one resource of that type has the
//     identifier, among the resources of this import or in the store.
//     Other search parameters are not resolved.
//   - An identifier-only Reference ({"identifier": {...}} without
//     "reference") gets "reference": "Type/id" the same way. The type is
//     Reference.type or, failing that, the element's only target type,
//     known for elements named after it (Location.managingOrganization,
//     Immunization.patient) and a short table of others
//     (Encounter.serviceProvider); otherwise the reference is reported.
//   - A reference to a resource merged into another (below) is rewritten
//     to the survivor, for references that come after the merge in the
//     import.
//   - A reference that resolves to nothing, or to several resources, is
//     kept as it is. Its resource is queued (at most Options.MaxPending)
//     and Finish retries it, since files are read in path order and a
//     patient Bundle may come before the file defining its Organization;
//     what is still unresolved then is a warning naming the resource, the
//     element path and the reference.
//
// # Deduplication by business identifier
//
// Deduplication applies to the types of Options.DedupTypes, by default
// DefaultDedupTypes (Organization, Practitioner, Location,
// HealthcareService, Endpoint): directory resources, whose identifiers name
// one entity. Patients are linked, not merged, and clinical or financial
// records may share placeholder identifiers.
//
// A resource of such a type T with an identifier system|value (both present)
// that already belongs to exactly one other resource of type T, in the
// store or earlier in this import, is merged into it:
//
//   - the survivor keeps its id and the values of its elements;
//   - the newcomer fills the elements the survivor lacks, and arrays in
//     both (identifier, telecom, address, extension, name, ...) become the
//     survivor's elements followed by the newcomer's that it lacks, so
//     nothing is lost and nothing is repeated;
//   - meta is merged likewise and gets the tag
//     https://fhirlake.dev/fhir/CodeSystem/import|merged;
//   - the newcomer is not stored; its id becomes an alias of the survivor
//     for the rest of the import, and the merge is listed in the Report.
//
// When the identifiers match several resources, nothing is merged and a
// warning is given. A repeated copy of a resource with the same id and
// identifiers that adds nothing to the version already there (every
// element of it is contained in that version) leaves that version as it
// is, so abbreviated copies (Synthea repeats each Organization and
// Practitioner in every patient Bundle) never replace the full one. The
// same holds for a Patient whose stored version has links (Patient.link,
// written by record linkage, package linkage): a copy from its source,
// which lacks them, keeps the stored version.
//
// # Idempotence
//
// Merging is idempotent: merging a newcomer into a survivor that already
// holds it gives the same bytes, and a contained copy keeps the stored
// version, so importing the same files again writes no new version.
// Member order is that of the survivor, then of the newcomer, so output is
// deterministic.
//
// # Cost
//
// A resource without '?', without an identifier-only reference and
// without identifiers is passed through after three byte scans (and one
// reference scan per resource once some merge has happened). Resources
// with identifiers cost a scan of their top-level members and a lookup
// per identifier, in memory first (Options.MaxIdentifiers entries), then
// in the store's identifier index.
package resolve
