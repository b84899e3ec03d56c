package synth

import (
	"errors"
	"fmt"
	"time"
)

// Output formats accepted by [Options.Format].
const (
	// FormatNDJSON writes one <Type>.ndjson file per resource type, one
	// resource per line, as a FHIR Bulk Data export does.
	FormatNDJSON = "ndjson"
	// FormatBundle writes one transaction Bundle per patient, named
	// <patientId>.json, plus shared.json for organizations and practitioners.
	FormatBundle = "bundle"
)

// ReferenceDate is the fixed "today" of every generated record: ages are
// computed at this instant and no event happens at or after it. Treat it
// as a constant: the output depends on it.
var ReferenceDate = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// Options configure [Generate].
type Options struct {
	// Patients is the number of patients to generate; it must be > 0.
	Patients int
	// Seed selects the data set: the same seed (and the same other options)
	// yields byte-identical output.
	Seed int64
	// Format is FormatNDJSON (the default when empty) or FormatBundle.
	Format string
	// Out is the output directory; it is created if missing. Existing files
	// with the same names are overwritten.
	Out string
	// Duplicates is the fraction of patients, in [0, 1], that also get a
	// second Patient record "from another source" (another hospital's
	// medical record number, typing errors, nicknames, a moved address...)
	// for testing record linkage. The duplicates carry nothing naming
	// their original; the true pairs are returned in Stats.Duplicates and
	// written to DuplicatesFile in Out. The default 0 writes no duplicates
	// and leaves the output as it was.
	Duplicates float64
}

// DuplicatesFile is the name of the file, in Options.Out, listing the
// duplicate pairs when Options.Duplicates > 0: a header line
// "original_id<TAB>duplicate_id", then one pair a line. It is
// tab-separated, not a .csv, because importing the output folder would
// take a .csv file for a CSV extract to map, and reject it.
const DuplicatesFile = "duplicates.tsv"

// Stats summarises what [Generate] wrote.
type Stats struct {
	// Patients is the number of patients generated.
	Patients int
	// Resources counts the resources written, by resource type.
	Resources map[string]int
	// Files is the number of files written.
	Files int
	// Bytes is the total size of the files written.
	Bytes int64
	// Duplicates are the duplicate records written (Options.Duplicates),
	// in patient order. Patients does not count them; Resources does.
	Duplicates []DuplicatePair
}

// ErrInvalidOptions is wrapped by the error [Generate] returns for bad
// [Options].
var ErrInvalidOptions = errors.New("synth: invalid options")

// normalize fills defaults and checks the options.
func (o Options) normalize() (Options, error) {
	if o.Format == "" {
		o.Format = FormatNDJSON
	}
	switch {
	case o.Patients <= 0:
		return o, fmt.Errorf("%w: patients must be > 0, got %d", ErrInvalidOptions, o.Patients)
	case o.Out == "":
		return o, fmt.Errorf("%w: output directory is required", ErrInvalidOptions)
	case !(o.Duplicates >= 0 && o.Duplicates <= 1):
		return o, fmt.Errorf("%w: duplicates must be in [0, 1], got %g", ErrInvalidOptions, o.Duplicates)
	case o.Format != FormatNDJSON && o.Format != FormatBundle:
		return o, fmt.Errorf("%w: format must be %q or %q, got %q",
			ErrInvalidOptions, FormatNDJSON, FormatBundle, o.Format)
	}
	return o, nil
}
