package r4

import (
	"bytes"
	"errors"
	"fmt"
)

// shape writes the resource in body keeping what f selects.
func shape(body []byte, f filter) ([]byte, error) {
	t, err := defs()
	if err != nil {
		return nil, err
	}
	root, err := parseJSON(body)
	if err != nil {
		return nil, err
	}
	if root.Kind != jObject {
		return nil, fmt.Errorf("expected a resource (JSON object), found a JSON %s", root.Kind)
	}
	rt := root.Get("resourceType")
	if rt == nil || rt.Kind != jString {
		return nil, errors.New("resourceType is missing or not a string")
	}
	td := t.types[rt.Str]
	if td == nil || td.kind != kindResource || td.abstract {
		return nil, fmt.Errorf("unknown resource type %q", rt.Str)
	}
	s := shaper{f: f}
	return s.resource(&root, td), nil
}

// shaper carries the filter and whether anything was removed.
type shaper struct {
	f       filter
	removed bool
}

// field is a kept member rendered as compact JSON.
type field struct {
	key string
	val []byte
}

// resource renders the top-level object, adding the SUBSETTED tag to meta
// (creating meta after id, or after resourceType, when there is none).
func (s *shaper) resource(n *node, td *typeDef) []byte {
	fields := s.fields(n, td, true)
	if s.removed {
		at, found := -1, false
		for i, f := range fields {
			switch f.key {
			case "meta":
				var b bytes.Buffer
				writeTaggedMeta(&b, &n.Members[s.index(n, "meta")].Val)
				fields[i].val, found = b.Bytes(), true
			case "id", "resourceType":
				at = max(at, i)
			}
		}
		if !found {
			meta := field{key: "meta", val: []byte(`{"tag":[` + subsettedTag + `]}`)}
			fields = append(fields[:at+1], append([]field{meta}, fields[at+1:]...)...)
		}
	}
	return writeFields(nil, fields)
}

func (s *shaper) index(n *node, key string) int {
	for i := range n.Members {
		if n.Members[i].Key == key {
			return i
		}
	}
	return -1
}

// fields applies the filter to the members of an object of type td.
func (s *shaper) fields(n *node, td *typeDef, top bool) []field {
	out := make([]field, 0, len(n.Members))
	for i := range n.Members {
		m := &n.Members[i]
		if top && m.Key == "resourceType" {
			out = append(out, field{m.Key, compact(m.Val.Raw)})
			continue
		}
		key := m.Key
		if len(key) > 1 && key[0] == '_' {
			key = key[1:]
		}
		p, known := td.props[key]
		var val []byte
		switch s.f(key, p, known, top) {
		case keep:
			val = compact(m.Val.Raw)
		case descend:
			val = s.descend(&m.Val, p.typ)
		}
		if val == nil {
			s.removed = true
			continue
		}
		out = append(out, field{m.Key, val})
	}
	return out
}

// descend renders a backbone element (or array of them) keeping the
// children the filter selects; it returns nil when nothing is left.
func (s *shaper) descend(n *node, td *typeDef) []byte {
	switch n.Kind {
	case jObject:
		if fields := s.fields(n, td, false); len(fields) > 0 {
			return writeFields(nil, fields)
		}
		return nil
	case jArray:
		out := []byte{'['}
		for i := range n.Items {
			v := s.descend(&n.Items[i], td)
			if v == nil {
				s.removed = true
				continue
			}
			if len(out) > 1 {
				out = append(out, ',')
			}
			out = append(out, v...)
		}
		if len(out) == 1 {
			return nil
		}
		return append(out, ']')
	}
	return compact(n.Raw)
}

func writeFields(out []byte, fields []field) []byte {
	out = append(out, '{')
	for i, f := range fields {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendKey(out, f.key)
		out = append(out, f.val...)
	}
	return append(out, '}')
}
