package resolve

import "fmt"

// Report says what the sink did during one import. Counts are complete;
// the Warnings and Merges lists stop at Options.MaxExamples and
// Options.MaxMerges entries.
type Report struct {
	// Resolved counts the references rewritten to Type/id: conditional
	// references, identifier-only references, and references to a
	// resource merged into another.
	Resolved int
	// Unresolved counts the conditional and identifier-only references
	// left as they were at the end of the import, each a warning.
	Unresolved int
	// Ambiguous counts the resources not merged because their
	// identifiers matched several resources, each a warning.
	Ambiguous int
	// Retried counts the resources Finish rewrote because a reference
	// they held became resolvable later in the import; RetriedByType
	// splits it by resource type (their views need a refresh).
	Retried       int
	RetriedByType map[string]int
	// Warnings are the first unresolved references and ambiguous matches.
	Warnings []Warning
	// MergeCount counts the resources merged into another; Merges lists
	// the first of them.
	MergeCount int
	Merges     []Merge
}

// Warning is a reference left unresolved, or a resource left unmerged.
type Warning struct {
	Type, ID string // the resource holding the reference, or not merged
	Path     string // element path, e.g. Encounter.participant[0].individual
	Value    string // the reference (or identifier, system|value)
	Reason   string
}

// String formats the warning for a job's report.
func (w Warning) String() string {
	if w.Path == "" {
		return fmt.Sprintf("%s/%s: %s: %s", w.Type, w.ID, w.Reason, w.Value)
	}
	return fmt.Sprintf("%s/%s %s: %s: %s", w.Type, w.ID, w.Path, w.Reason, w.Value)
}

// Merge records a resource merged into another of the same type because
// they share a business identifier.
type Merge struct {
	Type       string
	Survivor   string // the id kept
	Merged     string // the newcomer's id, now an alias of Survivor
	Identifier string // the shared identifier, system|value
	Source     string // Options.Source of the import
}

// String formats the merge for a job's report.
func (m Merge) String() string {
	return fmt.Sprintf("%s/%s merged into %s/%s (identifier %s)", m.Type, m.Merged, m.Type, m.Survivor, m.Identifier)
}

// Reasons given in warnings.
const (
	ReasonUnresolved  = "reference resolves to no resource"
	ReasonAmbiguous   = "reference matches several resources"
	ReasonNoType      = "identifier-only reference of unknown target type (set Reference.type)"
	ReasonUnmerged    = "identifier matches several resources; not merged"
	ReasonUnsupported = "conditional reference other than identifier="
)
