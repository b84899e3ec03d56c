package resolve

import (
	"context"

	"github.com/fhirlake/fhirlake/store"
)

// Store is what the sink needs of the store; *store.Store is one.
type Store interface {
	// Put writes a batch atomically and returns one outcome per input.
	Put(ctx context.Context, in []store.Input) ([]store.Outcome, error)
	// Read returns the current version of a resource, store.ErrNotFound
	// or store.ErrDeleted.
	Read(ctx context.Context, typ, id string) (store.Resource, error)
	// FindByIdentifier returns the ids of the live resources of type typ
	// with an identifier matching q.
	FindByIdentifier(ctx context.Context, typ string, q store.IdentifierQuery) ([]string, error)
}

var _ Store = (*store.Store)(nil)

// Options tune a Sink. The zero value is usable.
type Options struct {
	// MaxIdentifiers bounds the identifiers remembered from the
	// resources of this import (default 1<<20, roughly 100 MB). Beyond
	// it, lookups fall back to the store's identifier index, which holds
	// every committed batch, so only cost grows.
	MaxIdentifiers int
	// MaxPending bounds the resources whose unresolved references are
	// retried by Finish (default 100,000). Beyond it, an unresolved
	// reference is reported at once and not retried.
	MaxPending int
	// MaxExamples bounds Report.Warnings (default 20).
	MaxExamples int
	// MaxMerges bounds Report.Merges (default 10,000); MergeCount counts
	// them all.
	MaxMerges int
	// DedupTypes are the resource types deduplicated by business
	// identifier (default DefaultDedupTypes).
	DedupTypes []string
	// NoDedup turns deduplication off; references are still resolved.
	NoDedup bool
	// Source names the import in Report.Merges (a job id or path).
	Source string
}

// DefaultDedupTypes are the types whose business identifiers name one
// real-world entity, so that two resources sharing one are the same
// thing: directory resources. Clinical and financial records are left
// out because sources reuse group or placeholder identifiers across them
// (every Synthea ExplanationOfBenefit carries
// claim-group|99999999999), and merging events destroys data. Patient is
// left out on purpose: duplicate patients are linked by record linkage
// (Patient.link), never silently merged.
var DefaultDedupTypes = []string{"Organization", "Practitioner", "Location", "HealthcareService", "Endpoint"}

func (o Options) withDefaults() Options {
	if len(o.DedupTypes) == 0 {
		o.DedupTypes = DefaultDedupTypes
	}
	if o.MaxIdentifiers <= 0 {
		o.MaxIdentifiers = 1 << 20
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 100_000
	}
	if o.MaxExamples <= 0 {
		o.MaxExamples = 20
	}
	if o.MaxMerges <= 0 {
		o.MaxMerges = 10_000
	}
	return o
}
