package store

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// HistoryQuery selects the versions of a type- or system-level history
// (https://hl7.org/fhir/R4/http.html#history), newest first.
type HistoryQuery struct {
	// Type restricts the history to one resource type; "" means every
	// type (system level).
	Type string
	// Since keeps versions with lastUpdated at or after it (FHIR _since);
	// zero keeps all.
	Since time.Time
	// Before is a page cursor: only versions older than the change
	// sequence number it holds are returned (the Next of the previous
	// page); 0 starts at the newest.
	Before uint64
	// Limit is the page size; at most 1000, default 100.
	Limit int
}

// HistoryPage is one page of a history, newest first.
type HistoryPage struct {
	Versions []Resource
	// Next is the Before of the following page, 0 if this is the last.
	Next uint64
}

// HistoryPage walks the change log backwards. It relies on lastUpdated never
// decreasing along the change sequence (see clock) to stop at Since.
// A type-level page reads the headers of every other type's versions in
// between, which is cheap next to decoding bodies.
func (s *Store) HistoryPage(ctx context.Context, q HistoryQuery) (HistoryPage, error) {
	if q.Type != "" {
		if err := validKey(q.Type, "x"); err != nil {
			return HistoryPage{}, fmt.Errorf("store: history: %w", err)
		}
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	q.Limit = min(q.Limit, 1000)
	since := int64(-1 << 63)
	if !q.Since.IsZero() {
		since = q.Since.UnixMilli()
		if q.Since.Sub(fromMillis(since)) > 0 {
			since++ // a sub-millisecond Since excludes the millisecond it falls in
		}
	}
	var page HistoryPage
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketVersions).Cursor()
		var k, v []byte
		if q.Before == 0 {
			k, v = c.Last()
		} else {
			k, _ = c.Seek(seqKey(q.Before))
			if k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		}
		dec := s.codecs.dec()
		n := 0
		for ; k != nil; k, v = c.Prev() {
			if n++; n%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			vh, enc, err := decodeVerHeader(v)
			if err != nil {
				return fmt.Errorf("change %d: %w", seqFromKey(k), err)
			}
			if vh.updated < since {
				return nil
			}
			if q.Type != "" && string(vh.typ) != q.Type {
				continue
			}
			if len(page.Versions) == q.Limit {
				page.Next = seqFromKey(k) + 1
				return nil
			}
			typ, id := string(vh.typ), string(vh.id)
			r, err := vh.resource(dec, enc, typ, id)
			if err != nil {
				return err
			}
			page.Versions = append(page.Versions, r)
		}
		return nil
	})
	if err != nil {
		return HistoryPage{}, fmt.Errorf("store: history of %q: %w", q.Type, err)
	}
	return page, nil
}
