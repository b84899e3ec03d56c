package export

import (
	"context"

	"github.com/fhirlake/fhirlake/store"
)

// Source is what an export reads: one data store. *store.Store implements
// it.
type Source interface {
	// Types returns the resource types the data store holds.
	Types(ctx context.Context) ([]string, error)
	// Scan calls fn with the current version of every non-deleted resource
	// of type typ, streaming, and returns the first error fn returns as is.
	// fn owns the Resource it is given.
	Scan(ctx context.Context, typ string, fn func(store.Resource) error) error
	// Read returns the current version of a resource, an error wrapping
	// store.ErrNotFound if there is none and one wrapping store.ErrDeleted
	// if it was deleted.
	Read(ctx context.Context, typ, id string) (store.Resource, error)
}

var _ Source = (*store.Store)(nil)
