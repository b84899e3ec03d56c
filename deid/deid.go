package deid

import (
	"context"
	"errors"
	"fmt"
)

// Deidentifier applies the Safe Harbor rules to FHIR R4 resources. It is
// safe for concurrent use; create one per data store and key.
type Deidentifier struct {
	opts  Options
	keys  *keyed
	types *typeCache
	red   *redactor
}

// ErrNotResource is wrapped by the error [Deidentifier.Resource] returns
// for input that is not a JSON object with a known R4 resourceType.
var ErrNotResource = errors.New("deid: not a FHIR R4 resource")

// New returns a Deidentifier for opts.
func New(opts Options) (*Deidentifier, error) {
	opts, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	return &Deidentifier{opts: opts, keys: newKeyed(opts.Key), types: newTypeCache(), red: newRedactor(opts.Now)}, nil
}

// Resource returns the de-identified JSON of one R4 resource of any type,
// including the resources inside a Bundle, contained resources and
// Parameters resources. It does not retain body. The output is compact
// JSON with the input's member order; elements that become empty are
// removed, so a resource that was valid R4 stays valid.
func (d *Deidentifier) Resource(ctx context.Context, body []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("deid: %w", err)
	}
	root, err := parseJSON(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotResource, err)
	}
	if root.Kind != jObject {
		return nil, fmt.Errorf("%w: the body is not a JSON object", ErrNotResource)
	}
	rt := getString(&root, "resourceType")
	if !isResourceType(rt) {
		return nil, fmt.Errorf("%w: unknown resourceType %q", ErrNotResource, rt)
	}
	w := walker{d: d}
	if !w.resource(&root, 0) {
		// Only an input whose every element was removed gets here.
		root.Members = []member{{Key: "resourceType", Val: node{Kind: jString, Str: rt}}}
	}
	return appendJSON(make([]byte, 0, len(body)), &root), nil
}
