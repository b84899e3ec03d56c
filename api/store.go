package api

import (
	"context"

	"github.com/fhirlake/fhirlake/store"
)

// Store is what a data store's Reader also implements when it takes
// writes and serves versions: *store.Store. Without it the data store is
// read-only and the other interactions answer 405.
type Store interface {
	Reader
	// VRead returns one version of a resource (see store.Store.VRead).
	VRead(ctx context.Context, typ, id string, version int64) (store.Resource, error)
	// History returns every version of a resource, newest first.
	History(ctx context.Context, typ, id string) ([]store.Resource, error)
	// HistoryPage returns a page of a type's or the whole store's history.
	HistoryPage(ctx context.Context, q store.HistoryQuery) (store.HistoryPage, error)
	// Apply commits ops atomically and durably.
	Apply(ctx context.Context, ops []store.Op) ([]store.Result, error)
	// FindByIdentifier returns the ids of the live resources of typ with
	// a matching identifier.
	FindByIdentifier(ctx context.Context, typ string, q store.IdentifierQuery) ([]string, error)
}

var _ Store = (*store.Store)(nil)
