package r4

import (
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// validReference checks Reference.reference: "#" or "#id" (contained),
// "Type/id", "Type/id/_history/vid", a conditional "Type?query", an
// absolute http(s) URL, or a urn:uuid: / urn:oid: identifier.
func validReference(s string) bool {
	switch {
	case strings.HasPrefix(s, "#"):
		return s == "#" || fhir.ValidID(s[1:])
	case strings.HasPrefix(s, "urn:uuid:"):
		return validUUID(s)
	case strings.HasPrefix(s, "urn:oid:"):
		return validOID(s)
	case strings.HasPrefix(s, "http://"), strings.HasPrefix(s, "https://"):
		rest := s[strings.Index(s, "//")+2:]
		return rest != "" && rest[0] != '/' && !hasSpace(s)
	}
	if typ, query, ok := strings.Cut(s, "?"); ok {
		return fhir.IsResourceType(typ) && query != "" && !hasSpace(query)
	}
	parts := strings.Split(s, "/")
	switch len(parts) {
	case 2:
		return fhir.IsResourceType(parts[0]) && fhir.ValidID(parts[1])
	case 4:
		return fhir.IsResourceType(parts[0]) && fhir.ValidID(parts[1]) &&
			parts[2] == "_history" && fhir.ValidID(parts[3])
	}
	return false
}
