package resolve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/fhirlake/fhirlake/store"
)

// ambiguous marks an identifier known to belong to several resources.
const ambiguous = "\x00"

// index maps the identifiers of the resources seen in this import to the
// id that now holds them: keys are "Type\x00system\x00value" for an exact
// match and "Type\x01value" for a match on any system. The persistent map
// stops growing at max entries; the batch map always takes what the
// persistent one cannot and is emptied after every batch, when the store
// has committed (and indexed) the batch.
type index struct {
	max   int
	seen  map[string]string
	batch map[string]string
	st    Store
}

func newIndex(st Store, max int) *index {
	return &index{max: max, seen: map[string]string{}, batch: map[string]string{}, st: st}
}

func exactKey(typ string, v identifierValue) string {
	return typ + "\x00" + v.System + "\x00" + v.Value
}

func anyKey(typ, value string) string { return typ + "\x01" + value }

func queryKey(typ string, q store.IdentifierQuery) string {
	if q.AnySystem {
		return anyKey(typ, q.Value)
	}
	return exactKey(typ, identifierValue{q.System, q.Value})
}

// get returns what the maps know of key.
func (x *index) get(key string) (string, bool) {
	if id, ok := x.batch[key]; ok {
		return id, true
	}
	id, ok := x.seen[key]
	return id, ok
}

// put records that key belongs to id; a key already held by another id
// becomes ambiguous.
func (x *index) put(key, id string) {
	if old, ok := x.get(key); ok && old != id {
		id = ambiguous
	}
	if _, ok := x.seen[key]; ok || len(x.seen) < x.max {
		x.seen[key] = id
		delete(x.batch, key)
		return
	}
	x.batch[key] = id
}

// register records the identifiers of a resource of type typ held by id.
func (x *index) register(typ, id string, ids []identifierValue) {
	for _, v := range ids {
		if v.System != "" {
			x.put(exactKey(typ, v), id)
		}
		x.put(anyKey(typ, v.Value), id)
	}
}

// endBatch forgets the batch map once the store holds the batch.
func (x *index) endBatch() { clear(x.batch) }

// lookup returns the ids of the resources of type typ matching q: from
// this import's maps, else from the store (a single match is remembered).
// An ambiguous entry yields two placeholder ids.
func (x *index) lookup(ctx context.Context, typ string, q store.IdentifierQuery) ([]string, error) {
	key := queryKey(typ, q)
	if id, ok := x.get(key); ok {
		if id == ambiguous {
			return []string{ambiguous, ambiguous}, nil
		}
		return []string{id}, nil
	}
	ids, err := x.st.FindByIdentifier(ctx, typ, q)
	if err != nil {
		return nil, fmt.Errorf("resolve: look up %s?identifier=%s|%s: %w", typ, q.System, q.Value, err)
	}
	if len(ids) == 1 && len(x.seen) < x.max {
		x.seen[key] = ids[0]
	}
	return ids, nil
}

var keyIdentifier = []byte(`"identifier"`)

// topIdentifiers returns the identifiers (with a value) of the top-level
// identifier array of body; it skips the scan when body has no
// "identifier" at all.
func topIdentifiers(body []byte) ([]identifierValue, error) {
	if !bytes.Contains(body, keyIdentifier) {
		return nil, nil
	}
	ms, _, err := members(body, 0)
	if err != nil {
		return nil, err
	}
	m, ok := find(ms, "identifier")
	if !ok || body[m.start] != '[' {
		return nil, nil
	}
	var all []identifierValue
	if err := json.Unmarshal(body[m.start:m.end], &all); err != nil {
		return nil, nil // not FHIR-shaped; nothing to index
	}
	out := all[:0]
	for _, v := range all {
		if v.Value != "" {
			out = append(out, v)
		}
	}
	return out, nil
}
