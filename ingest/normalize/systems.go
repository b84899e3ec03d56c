package normalize

import "strings"

// codeSystem is a well-known code system: its canonical FHIR URI, the
// names, OIDs and URI variants that mean it, and whether its codes have a
// canonical upper case.
type codeSystem struct {
	uri     string
	upper   bool // letters in codes are upper case (ICD, LOINC part codes, CPT, HCPCS)
	aliases []string
}

// codeSystems lists the systems Coding.system and Quantity.system are
// canonicalised to. Sources (checked 2026-11-28):
//   - FHIR R4 "Using Codes" named systems list,
//     https://hl7.org/fhir/R4/terminologies-systems.html, and HL7
//     Terminology (THO) NamingSystem resources,
//     https://terminology.hl7.org/ (e.g. NamingSystem ICD-9CM-diagnosiscodes:
//     OID 2.16.840.1.113883.6.103, URI http://hl7.org/fhir/sid/icd-9-cm);
//   - US Core terminology page for HCPCS (2.16.840.1.113883.6.285) and
//     ICD-10-PCS (2.16.840.1.113883.6.4);
//   - HL7 v2 table 0396 (coding system) for the short names LN, SCT, C4,
//     CVX, NDC, RXNORM, I9C, I10, I10C, I10P and UCUM.
//
// LOINC codes are case-insensitive ("LOINC codes are not case sensitive",
// R4 named systems list) and written in upper case; ICD, CPT and HCPCS codes
// are alphanumeric with upper-case letters. SNOMED CT, RxNorm, CVX and NDC
// codes are digits (and dashes), so they have no case to fix; UCUM is case
// sensitive and handled by the unit table instead.
var codeSystems = []codeSystem{
	{uri: "http://snomed.info/sct", aliases: []string{"SNOMED", "SNOMED CT", "SNOMED-CT", "SNOMEDCT", "SNOMEDCT_US", "SCT", "2.16.840.1.113883.6.96"}},
	{uri: "http://loinc.org", upper: true, aliases: []string{"LOINC", "LN", "2.16.840.1.113883.6.1", "https://loinc.org", "http://www.loinc.org", "https://www.loinc.org"}},
	{uri: "http://www.nlm.nih.gov/research/umls/rxnorm", aliases: []string{"RXNORM", "2.16.840.1.113883.6.88"}},
	{uri: "http://hl7.org/fhir/sid/icd-10-cm", upper: true, aliases: []string{"ICD-10-CM", "ICD10CM", "ICD10-CM", "I10C", "2.16.840.1.113883.6.90"}},
	{uri: "http://hl7.org/fhir/sid/icd-10", upper: true, aliases: []string{"ICD-10", "ICD10", "I10", "2.16.840.1.113883.6.3"}},
	{uri: "http://www.cms.gov/Medicare/Coding/ICD10", upper: true, aliases: []string{"ICD-10-PCS", "ICD10PCS", "I10P", "2.16.840.1.113883.6.4"}},
	{uri: "http://hl7.org/fhir/sid/icd-9-cm", upper: true, aliases: []string{"ICD-9-CM", "ICD9CM", "I9C", "2.16.840.1.113883.6.103"}},
	{uri: "http://www.ama-assn.org/go/cpt", upper: true, aliases: []string{"CPT", "CPT-4", "CPT4", "C4", "2.16.840.1.113883.6.12"}},
	{uri: "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", upper: true, aliases: []string{"HCPCS", "2.16.840.1.113883.6.285"}},
	{uri: "http://hl7.org/fhir/sid/cvx", aliases: []string{"CVX", "2.16.840.1.113883.12.292"}},
	{uri: "http://hl7.org/fhir/sid/ndc", aliases: []string{"NDC", "2.16.840.1.113883.6.69"}},
	{uri: "http://unitsofmeasure.org", aliases: []string{"UCUM", "2.16.840.1.113883.6.8", "https://unitsofmeasure.org"}},
}

// ucumURI is the canonical UCUM system.
const ucumURI = "http://unitsofmeasure.org"

// systemByKey maps systemKey of every URI and alias to its system.
var systemByKey = func() map[string]*codeSystem {
	m := map[string]*codeSystem{}
	for i := range codeSystems {
		cs := &codeSystems[i]
		m[systemKey(cs.uri)] = cs
		for _, a := range cs.aliases {
			m[systemKey(a)] = cs
		}
	}
	return m
}()

// systemKey folds a system string for lookup: surrounding whitespace,
// a urn:oid: prefix, a trailing slash and letter case do not matter.
func systemKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "urn:oid:")
	return strings.TrimSuffix(s, "/")
}

// canonicalSystem returns the canonical URI for a known system name, OID
// or URI variant, and the system; s itself and nil when it is unknown.
func canonicalSystem(s string) (string, *codeSystem) {
	cs := systemByKey[systemKey(s)]
	if cs == nil {
		return s, nil
	}
	return cs.uri, cs
}

// upperCode upper-cases the ASCII letters of code for systems whose codes
// are upper case; codes of other systems are returned unchanged.
func upperCode(cs *codeSystem, code string) string {
	if cs == nil || !cs.upper {
		return code
	}
	return strings.ToUpper(code)
}
