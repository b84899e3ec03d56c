package resolve

import (
	"context"

	"github.com/fhirlake/fhirlake/store"
)

// dedupe decides what becomes of a resource of type typ and id with
// business identifiers ids (those with both a system and a value count),
// and returns the id to write and its body:
//   - an identifier held by exactly one other resource, and none held by
//     id itself: merged into that survivor (mergeInto), id becomes an
//     alias of it;
//   - identifiers held by several resources: kept apart, with a warning;
//   - identifiers held by id only: a repeat of the same resource; when it
//     adds nothing to the version already there (contained), that
//     version is kept, so partial copies never replace fuller ones.
func (s *Sink) dedupe(ctx context.Context, typ, id string, ids []identifierValue, body []byte) (string, []byte, error) {
	others := map[string]string{} // other id -> the identifier shared
	var own, amb bool
	for _, v := range ids {
		if v.System == "" {
			continue
		}
		found, err := s.idx.lookup(ctx, typ, store.IdentifierQuery{System: v.System, Value: v.Value})
		if err != nil {
			return "", nil, err
		}
		for _, f := range found {
			switch {
			case f == ambiguous:
				amb = true
			case f == id:
				own = true
			case others[f] == "":
				others[f] = v.String()
			}
		}
	}
	switch {
	case amb || len(others) > 1 || (own && len(others) > 0):
		s.rep.Ambiguous++
		s.warn(Warning{Type: typ, ID: id, Value: firstBusiness(ids), Reason: ReasonUnmerged})
		return id, body, nil
	case len(others) == 1:
		for survivor, ident := range others {
			return s.merge(ctx, typ, id, survivor, ident, body)
		}
	case own:
		cur, err := s.current(ctx, typ, id)
		if err != nil {
			return "", nil, err
		}
		if cur != nil && contained(cur, body) {
			return id, cur, nil
		}
	}
	return id, body, nil
}

// merge merges the resource typ/id into typ/survivor.
func (s *Sink) merge(ctx context.Context, typ, id, survivor, ident string, body []byte) (string, []byte, error) {
	cur, err := s.current(ctx, typ, survivor)
	if err != nil || cur == nil {
		return id, body, err // the survivor is gone: nothing to merge into
	}
	merged, err := mergeInto(cur, body)
	if err != nil {
		return "", nil, errorf(typ, id, "merge into %s: %w", survivor, err)
	}
	if len(s.alias) < s.opts.MaxIdentifiers {
		s.alias[typ+"/"+id] = survivor
	}
	s.rep.MergeCount++
	if len(s.rep.Merges) < s.opts.MaxMerges {
		s.rep.Merges = append(s.rep.Merges, Merge{Type: typ, Survivor: survivor, Merged: id, Identifier: ident, Source: s.opts.Source})
	}
	return survivor, merged, nil
}

// firstBusiness returns the first identifier with a system, as a token.
func firstBusiness(ids []identifierValue) string {
	for _, v := range ids {
		if v.System != "" {
			return v.String()
		}
	}
	return ""
}
