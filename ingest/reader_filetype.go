package ingest

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// fileTypeOf returns the resource type an NDJSON file must hold, judged
// by its name as the FHIR Bulk Data export names its output
// (https://hl7.org/fhir/uv/bulkdata/export.html#response---complete-status):
// "<Type>.ndjson", "<Type>.<n>.ndjson" (n digits) or
// "<Type>-<anything>.ndjson", also with ".jsonl", optionally followed by
// ".gz" or ".zst", where <Type> is an R4 resource type spelled exactly
// (fhir.IsResourceType). Any other name ("data.ndjson",
// "patient.ndjson") returns "": the file may hold any type.
//
// A file named for a type holds only that type. So a "Bundle.ndjson" holds
// Bundles, which are unpacked as on any NDJSON line, while a Bundle on a
// line of "Patient.ndjson" is rejected like any other foreign type.
func fileTypeOf(name string) string {
	base := path.Base(filepath.ToSlash(name))
	lower := strings.ToLower(base)
	for _, ext := range []string{".gz", ".zst"} {
		if strings.HasSuffix(lower, ext) {
			base, lower = base[:len(base)-len(ext)], lower[:len(lower)-len(ext)]
			break
		}
	}
	stem, ok := cutSuffixFold(base, lower, ".ndjson")
	if !ok {
		if stem, ok = cutSuffixFold(base, lower, ".jsonl"); !ok {
			return ""
		}
	}
	typ, rest := stem, ""
	if i := strings.IndexAny(stem, ".-"); i >= 0 {
		typ, rest = stem[:i], stem[i:]
	}
	if !fhir.IsResourceType(typ) || !validTypeSuffix(rest) {
		return ""
	}
	return typ
}

// cutSuffixFold removes suffix (lower case) from base, whose lower-case
// form is lower.
func cutSuffixFold(base, lower, suffix string) (string, bool) {
	if !strings.HasSuffix(lower, suffix) {
		return "", false
	}
	return base[:len(base)-len(suffix)], true
}

// validTypeSuffix accepts what may follow the type in a Bulk Data file
// name: nothing, "." and digits, or "-" and anything.
func validTypeSuffix(rest string) bool {
	switch {
	case rest == "", strings.HasPrefix(rest, "-"):
		return true
	case len(rest) > 1 && rest[0] == '.':
		return strings.Trim(rest[1:], "0123456789") == ""
	}
	return false
}

// wrongTypeReason rejects a resource of type typ in the file name, which
// holds resources of type want.
func wrongTypeReason(typ, name, want string) string {
	return fmt.Sprintf("resourceType %q in %s, a file of %s resources", typ, path.Base(filepath.ToSlash(name)), want)
}
