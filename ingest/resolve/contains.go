package resolve

import "bytes"

// contained reports whether every element of the resource incoming is
// already in existing (both resource JSON objects): each member of
// incoming is equal to, or recursively contained in, the member of the
// same name in existing, where an array is contained when each of its
// elements is contained in some element of the other array. meta's
// versionId and lastUpdated are ignored. A contained copy adds nothing,
// so Put keeps the existing version instead of replacing it with a
// partial copy (Synthea repeats abbreviated Organizations and
// Practitioners in every patient Bundle).
func contained(existing, incoming []byte) bool {
	em, _, err := members(existing, 0)
	if err != nil {
		return false
	}
	im, _, err := members(incoming, 0)
	if err != nil {
		return false
	}
	for _, m := range im {
		e, ok := find(em, m.key)
		if !ok {
			return false
		}
		iv, ev := incoming[m.start:m.end], existing[e.start:e.end]
		if bytes.Equal(iv, ev) {
			continue
		}
		a, b := decode(ev), decode(iv)
		if m.key == "meta" {
			if meta, ok := b.(map[string]any); ok {
				delete(meta, "versionId")
				delete(meta, "lastUpdated")
			}
		}
		if !containsValue(a, b) {
			return false
		}
	}
	return true
}

// containsValue reports whether the decoded JSON value in holds v.
func containsValue(in, v any) bool {
	switch v := v.(type) {
	case map[string]any:
		o, ok := in.(map[string]any)
		if !ok {
			return false
		}
		for k, x := range v {
			y, ok := o[k]
			if !ok || !containsValue(y, x) {
				return false
			}
		}
		return true
	case []any:
		a, ok := in.([]any)
		if !ok {
			return false
		}
		for _, x := range v {
			if !containsElement(a, x) {
				return false
			}
		}
		return true
	default:
		return in == v
	}
}

func containsElement(a []any, x any) bool {
	for _, y := range a {
		if containsValue(y, x) {
			return true
		}
	}
	return false
}
