package ingest

import (
	"path/filepath"
	"strings"
)

// isCSV reports whether a file or object name is a CSV extract: ".csv",
// optionally followed by ".gz" or ".zst", ignoring case. [Walk] lists
// such files as skipped (it knows only FHIR files); [Import] reads them
// through Options.CSV.
func isCSV(name string) bool {
	return strings.HasSuffix(trimCompression(strings.ToLower(filepath.Base(name))), ".csv")
}

// takeCSV splits the CSV extracts out of a list of skipped inputs.
func takeCSV(skipped []string) (csv, rest []string) {
	rest = skipped[:0:0]
	for _, s := range skipped {
		if isCSV(s) {
			csv = append(csv, s)
		} else {
			rest = append(rest, s)
		}
	}
	return csv, rest
}
