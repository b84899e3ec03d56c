// Package deid de-identifies FHIR R4 resources by the HIPAA Safe Harbor
// method, 45 CFR 164.514(b)(2) (guidance:
// https://www.hhs.gov/hipaa/for-professionals/special-topics/de-identification/).
//
// [New] builds a [Deidentifier] from [Options] (a secret Key, the
// reference date Now, and the ShiftDates and RedactText choices);
// [Deidentifier.Resource] turns the JSON of one resource of any type into
// its de-identified JSON. Bundles, contained resources and Parameters
// resources are handled recursively. A Deidentifier is safe for
// concurrent use.
//
// # How it works
//
// The resource is parsed into an order-preserving tree and walked with
// the types of the R4 definitions (fhir/r4.Element), so a rule for a
// datatype applies wherever the datatype occurs: in any resource, in a
// backbone element, in a choice (valueAddress, valueReference) or in an
// extension value. Elements the definitions do not know are removed, and
// so are elements emptied by the rules, so a resource that was valid R4
// stays valid R4 (the tests check every output with r4.Validate).
//
// Pseudonyms are HMAC-SHA-256 with Options.Key, truncated to 128 bits and
// written in lower-case base32 (26 characters, a valid FHIR id). They are
// stable for a key, so joins still work within a data store, and cannot
// be reversed without the key. Domains are separated: the same string as
// an id, an identifier value or a name gives unrelated pseudonyms.
//
// # The 18 identifiers, and where they occur in FHIR R4
//
//  1. Names: HumanName anywhere (Patient.name, Patient.contact.name,
//     Practitioner.name, RelatedPerson.name, Person.name, extension
//     values): removed. Reference.display (it usually holds the name of
//     the referenced person or organisation): removed.
//     FamilyMemberHistory.name (a relative's name) and the maiden-name
//     extensions: removed. The name of an Organization, Location,
//     HealthcareService, InsurancePlan, Endpoint or Group (it often holds
//     a city): pseudonymised; aliases removed.
//  2. Geographic subdivisions smaller than a state: Address anywhere
//     (Patient.address, contact.address, Organization.address,
//     Location.address, birthPlace extension values): line, city,
//     district and text removed; state, country, use and type kept;
//     postalCode keeps its first three digits, or becomes "000" for the
//     17 three-digit prefixes of 20,000 people or fewer (2000 Census);
//     a postal code that is not a US ZIP is removed. Location.position
//     and the geolocation extension: removed.
//  3. Dates: every date and dateTime (birthDate, deceasedDateTime,
//     effective[x], onset[x], Period.start/end, recordedDate, Timing.event,
//     Annotation.time, Attachment.creation...) keeps only its year
//     ("2019-03-05T10:00:00Z" becomes "2019"). An instant cannot hold a
//     year alone: optional instants (Observation.issued, meta.lastUpdated,
//     DocumentReference.date) are removed, and the required
//     AuditEvent.recorded, Provenance.recorded and Signature.when become
//     the first instant of their year. Ages: anyone 90 or older at
//     Options.Now gets birthDate Now.Year-90 (the latest birth year of a
//     90-year-old, so a year-only age reads "90 or older" and nothing more
//     is revealed; a partial birth date counts from its earliest day, so
//     ages are never understated; the patient-birthTime extension is
//     removed), and ages in years above 89 (the Age
//     datatype, and Quantity or Duration values with unit or code "a",
//     "yr", "year"...) become 90. Options.ShiftDates instead shifts
//     every date, dateTime and instant by a per-patient offset of
//     1..MaxShiftDays days either way, derived from the key and the
//     patient's original id, keeping precision, time of day and zone; the
//     patient of a resource is the Patient itself, else its subject,
//     patient or beneficiary reference to a Patient (contained and Bundle
//     resources without one use their container's; others a store-wide
//     offset). Shifted dates are not Safe Harbor.
//  4. Telephone numbers, 5. fax numbers, 6. e-mail addresses:
//     ContactPoint anywhere (Patient.telecom, contact.telecom,
//     Practitioner.telecom, Organization.telecom, ContactDetail.telecom):
//     removed.
//  7. Social security numbers, 8. medical record numbers, 9. health plan
//     beneficiary numbers, 10. account numbers, 11. certificate and
//     licence numbers: every Identifier (Patient.identifier,
//     Practitioner.qualification.identifier, Coverage.identifier,
//     Account.identifier, Reference.identifier...) keeps system, type,
//     use and period (year), and its value is replaced by a keyed
//     pseudonym of system and value, so record linkage on identifiers
//     still works. Coverage.subscriberId is pseudonymised the same way.
//  12. Vehicle identifiers and serial numbers, 13. device identifiers and
//     serial numbers: Device.identifier (pseudonymised as above),
//     Device.serialNumber, lotNumber and udiCarrier.deviceIdentifier /
//     carrierHRF: pseudonymised; udiCarrier.carrierAIDC, Device.url and
//     deviceName: removed.
//  14. Web URLs: ContactPoint (removed), Attachment.url (removed),
//     meta.source (removed), Bundle.link (removed: search links carry
//     query values). Resource ids in references keep their server base.
//  15. IP addresses: AuditEvent.agent.network.address: removed; IP
//     addresses in text are redacted.
//  16. Biometric identifiers, 17. full-face photographs: Attachment
//     content (Patient.photo, Practitioner.photo, Media.content,
//     DocumentReference.content.attachment): data, url, hash and size
//     removed; contentType, language and the year of creation kept. An
//     attachment left empty becomes a data-absent-reason "masked"
//     extension, so a required attachment stays valid. Other base64Binary
//     values (Binary.data, Signature.data) are removed.
//  18. Any other unique identifying number or code: every id (Resource.id,
//     contained ids, Element.id, ImagingStudy uid) is pseudonymised, and
//     every reference's id part with the same function, keeping the type
//     ("Patient/abc" becomes "Patient/<pseudonym>", "#abc" becomes
//     "#<pseudonym>"), so references still resolve; urn:uuid: values
//     (Bundle.entry.fullUrl and the references to it) become
//     pseudonymous UUIDs. The reference of a conditional reference
//     (Type?query, whose query holds search values) or an urn:oid:
//     reference is removed; a Reference left empty becomes a
//     data-absent-reason "masked" extension, since many references are
//     required. Bundle.entry.request.url loses its query (keeping at
//     least its resource type), and ifNoneExist, ifMatch and ifNoneMatch
//     are removed.
//
// # Free text
//
// Free text may hold any of the above. By default it is removed: the
// narrative (text) is replaced by status "empty" and a fixed div saying it
// was removed; Annotation (note and the like) and markdown values are
// removed; string elements named comment, description, text (except
// CodeableConcept.text), note, valueString, patientInstruction,
// conclusion, summary, statusReason and detail are removed; attachment
// data and titles are removed. With Options.RedactText they are kept but
// run through the redactor, which replaces names (the resource's own name
// parts, street lines and cities, a dictionary of common US given names
// and surnames, and capitalised words after a title such as "Dr." or a
// label such as "Patient" or "seen by") with [NAME]; dates with their year (or
// [DATE]); years from 1850 to Now.Year-90 (a year of birth that would
// reveal an age over 89) with [DATE]; ages over 89 with "90+"; phone,
// e-mail, web and IP addresses
// with [CONTACT]; social security numbers and any token with five digits
// or more with [NUMBER]; and street addresses with [ADDRESS]. Numbers
// with fewer digits (vital signs, doses) are kept. text/* attachments
// are decoded, redacted and encoded again; the narrative keeps its text
// content without markup. Redaction is best effort: a name outside the
// dictionary written without a title or label escapes it.
//
// Every other kept string (CodeableConcept.text, Coding.display, ...)
// goes through the pattern part of the redactor (dates, numbers,
// contacts, addresses; not names), so a date typed into a code's text
// does not survive.
//
// Kept as they are: codes, Coding, CodeableConcept, quantities and
// other measurements, gender, the coded race and ethnicity extensions,
// status elements, canonical URLs and code systems.
package deid
