package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The identifiers bucket indexes the top-level identifier element of
// every resource version written, for FHIR's conditional interactions
// (If-None-Exist, conditional update and delete, conditional references
// in transactions), which name resources by identifier. Its keys name a
// type, an identifier value and system (in clear, or as keyed hashes in
// an encrypted store; see keys.go) and an id; values are empty.
//
// Keys are only ever added. An entry may outlive the identifier (a later
// version dropped it, or the resource was deleted), so FindByIdentifier
// checks every candidate against the current version; writes never read
// old bodies.

// identifier is one Identifier's system and value.
type identifier struct{ system, value string }

// identIndexed is the meta key recording that the index covers every
// version of the file.
var identIndexed = []byte("identifiers")

// parseIdentifiers returns the system and value of each element of a
// top-level identifier array (raw JSON), skipping those without a value
// or holding 0x00. Malformed JSON yields nothing: the store keeps any
// well-formed JSON, validation against FHIR is the API's business.
func parseIdentifiers(raw []byte) []identifier {
	if len(raw) == 0 || raw[0] != '[' {
		return nil
	}
	var ids []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	}
	if json.Unmarshal(raw, &ids) != nil {
		return nil
	}
	out := make([]identifier, 0, len(ids))
	for _, x := range ids {
		if x.Value == "" || bytes.IndexByte([]byte(x.System+x.Value), sep) >= 0 {
			continue
		}
		out = append(out, identifier{x.System, x.Value})
	}
	return out
}

// identifiersOfBody returns the identifiers of a stored body.
func identifiersOfBody(body []byte) []identifier {
	var top struct {
		Identifier json.RawMessage `json:"identifier"`
	}
	if json.Unmarshal(body, &top) != nil {
		return nil
	}
	return parseIdentifiers(top.Identifier)
}

// addIdentifiers indexes the identifiers of a version being written.
func (w *writer) addIdentifiers(p *prepared) error {
	for _, x := range p.idents {
		if err := w.idents.Put(identKey(w.seal, p.typ, x.system, x.value, p.id), nil); err != nil {
			return fmt.Errorf("%s/%s: index identifier: %w", p.typ, p.id, err)
		}
	}
	return nil
}

// indexIdentifiers builds the index of a file written before it existed,
// from the current version of every resource, once.
func (s *Store) indexIdentifiers(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta.Get(identIndexed) != nil {
		return nil
	}
	idx, versions := tx.Bucket(bucketIdentifiers), tx.Bucket(bucketVersions)
	dec := s.codecs.dec()
	err := tx.Bucket(bucketCurrent).ForEach(func(k, v []byte) error {
		h, err := decodeHead(v)
		if err != nil || h.deleted {
			return err
		}
		typ, id, ok := splitResKey(k)
		if !ok {
			return fmt.Errorf("corrupt current key %q", k)
		}
		val := versions.Get(seqKey(h.seq))
		if val == nil {
			return fmt.Errorf("%s/%s: version record %d is missing", typ, id, h.seq)
		}
		r, err := decodeVersion(dec, val, typ, id)
		if err != nil {
			return err
		}
		for _, x := range identifiersOfBody(r.Body) {
			if err := idx.Put(identKey(s.codecs.seal, typ, x.system, x.value, id), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("index identifiers: %w", err)
	}
	return meta.Put(identIndexed, []byte("1"))
}

// IdentifierQuery is a FHIR token search on identifier: Value with
// System, or with any system when AnySystem is set (`identifier=value`);
// System "" without AnySystem means an identifier without a system
// (`identifier=|value`).
type IdentifierQuery struct {
	System, Value string
	AnySystem     bool
}

// FindByIdentifier returns the ids of the live resources of type typ
// whose current version has an identifier matching q, sorted.
func (s *Store) FindByIdentifier(ctx context.Context, typ string, q IdentifierQuery) ([]string, error) {
	if err := validKey(typ, "x"); err != nil {
		return nil, fmt.Errorf("store: find by identifier: %w", err)
	}
	var ids []string
	err := s.view(ctx, func(tx *bolt.Tx) error {
		prefix, match := identLookup(s.codecs.seal, typ, q)
		c := tx.Bucket(bucketIdentifiers).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id, ok := match(k)
			if !ok {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			h, err := getHead(tx, resKey(typ, id))
			if err != nil || h.deleted {
				continue
			}
			r, err := s.versionAt(tx, h.seq, typ, id)
			if err != nil {
				return err
			}
			for _, x := range identifiersOfBody(r.Body) {
				if x.value == q.Value && (q.AnySystem || x.system == q.System) {
					ids = append(ids, id)
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: find %s by identifier %s|%s: %w", typ, q.System, q.Value, err)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// lastCommit returns the lastUpdated of the newest version in the file.
func lastCommit(tx *bolt.Tx) (t time.Time) {
	k, v := tx.Bucket(bucketVersions).Cursor().Last()
	if k == nil {
		return t
	}
	vh, _, err := decodeVerHeader(v)
	if err != nil {
		return t
	}
	return fromMillis(vh.updated)
}
