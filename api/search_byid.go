package api

import (
	"context"
	"errors"

	"github.com/fhirlake/fhirlake/search"
	"github.com/fhirlake/fhirlake/store"
)

// searchByID answers a search by logical id alone (Patient?_id=a,b; see
// search.Query.IDsOnly) from the raw store, by key, when its ids fit one
// page: the existing, non-deleted resources, in id order. ok is false
// when the search must run in the engine.
//
// A point read costs microseconds where the engine binds and scans an
// index file for milliseconds; this is the first step of every
// `Patient?_id=x&_revinclude=…`, the way clients fetch a record with
// what refers to it.
func searchByID(ctx context.Context, rd Reader, q *search.Query, limit int) (pg search.Page, ok bool, err error) {
	ids, ok := q.IDsOnly()
	if !ok || limit <= 0 || len(ids) > limit {
		return search.Page{}, false, nil
	}
	pg.Total = -1
	for _, id := range ids {
		_, err := rd.Read(ctx, q.Type, id)
		switch {
		case err == nil:
			pg.IDs = append(pg.IDs, id)
		case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrDeleted):
		default:
			return search.Page{}, false, err
		}
	}
	if q.Total != "none" {
		pg.Total = len(pg.IDs)
	}
	return pg, true, nil
}
