package csvmap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// Shape kinds.
const (
	kindObject = iota
	kindArray
	kindLeaf
)

// shape is the static JSON layout of one resource, built once from the
// field paths when the mapping is loaded. Each leaf is the value of one
// field; a row fills a []json.RawMessage indexed by field and the shape is
// serialized around it, dropping absent values, then empty objects and
// arrays, and closing gaps in arrays. Because the layout is fixed, a row
// can never produce conflicting JSON.
type shape struct {
	kind    int
	leaf    int    // field index of a leaf
	origin  string // the path that created the node, for error messages
	members []member
	items   []item // sorted by index
}

type member struct {
	name string
	key  []byte // `,"name":`, quoted once
	node *shape
}

type item struct {
	index int
	node  *shape
}

// newObject returns an empty object shape.
func newObject(origin string) *shape { return &shape{kind: kindObject, origin: origin} }

// insert adds a leaf for field idx at path p.
func (s *shape) insert(p elemPath, idx int) error {
	at := s
	for i, st := range p {
		last := i == len(p)-1
		m := at.member(st.name)
		wantKind := kindObject
		if st.index >= 0 {
			wantKind = kindArray
		} else if last {
			wantKind = kindLeaf
		}
		if m == nil {
			m = &shape{kind: wantKind, origin: p.String(), leaf: idx}
			at.members = append(at.members, member{name: st.name, key: []byte("," + strconv.Quote(st.name) + ":"), node: m})
		} else if m.kind != wantKind || wantKind == kindLeaf {
			return conflict(p, m)
		}
		if st.index < 0 {
			at = m
			continue
		}
		kind := kindObject
		if last {
			kind = kindLeaf
		}
		it := m.item(st.index)
		if it == nil {
			it = &shape{kind: kind, origin: p.String(), leaf: idx}
			m.items = append(m.items, item{index: st.index, node: it})
			sort.Slice(m.items, func(a, b int) bool { return m.items[a].index < m.items[b].index })
		} else if it.kind != kind || kind == kindLeaf {
			return conflict(p, it)
		}
		at = it
	}
	return nil
}

// conflict describes why path p cannot be added next to node n.
func conflict(p elemPath, n *shape) error {
	if n.origin == p.String() {
		return fmt.Errorf("path %q is written by two fields", n.origin)
	}
	return fmt.Errorf("path %q conflicts with path %q", p.String(), n.origin)
}

func (s *shape) member(name string) *shape {
	for _, m := range s.members {
		if m.name == name {
			return m.node
		}
	}
	return nil
}

func (s *shape) item(index int) *shape {
	for _, it := range s.items {
		if it.index == index {
			return it.node
		}
	}
	return nil
}

// writeMembers appends the members of object s that have a value, each
// preceded by a comma unless first is set for the first one written, and
// reports whether it wrote any.
func (s *shape) writeMembers(b *bytes.Buffer, vals []json.RawMessage, first bool) bool {
	wrote := false
	for _, m := range s.members {
		mark := b.Len()
		if first && !wrote {
			b.Write(m.key[1:])
		} else {
			b.Write(m.key)
		}
		if m.node.write(b, vals) {
			wrote = true
		} else {
			b.Truncate(mark)
		}
	}
	return wrote
}

// write appends the JSON of s and reports whether it had any value; when
// it had none, nothing is left in b.
func (s *shape) write(b *bytes.Buffer, vals []json.RawMessage) bool {
	mark := b.Len()
	switch s.kind {
	case kindLeaf:
		if vals[s.leaf] == nil {
			return false
		}
		b.Write(vals[s.leaf])
		return true
	case kindObject:
		b.WriteByte('{')
		if !s.writeMembers(b, vals, true) {
			b.Truncate(mark)
			return false
		}
		b.WriteByte('}')
		return true
	}
	b.WriteByte('[')
	n := 0
	for _, it := range s.items {
		at := b.Len()
		if n > 0 {
			b.WriteByte(',')
		}
		if it.node.write(b, vals) {
			n++
		} else {
			b.Truncate(at)
		}
	}
	if n == 0 {
		b.Truncate(mark)
		return false
	}
	b.WriteByte(']')
	return true
}

// present reports whether s would write anything.
func (s *shape) present(vals []json.RawMessage) bool {
	switch s.kind {
	case kindLeaf:
		return vals[s.leaf] != nil
	case kindObject:
		for _, m := range s.members {
			if m.node.present(vals) {
				return true
			}
		}
		return false
	}
	for _, it := range s.items {
		if it.node.present(vals) {
			return true
		}
	}
	return false
}

// locate records, for every leaf that has a value, its FHIRPath location
// in the written JSON (after gaps in arrays were closed), under prefix.
func (s *shape) locate(prefix string, vals []json.RawMessage, out map[string]int) {
	switch s.kind {
	case kindLeaf:
		if vals[s.leaf] != nil {
			out[prefix] = s.leaf
		}
	case kindObject:
		for _, m := range s.members {
			p := m.name
			if prefix != "" {
				p = prefix + "." + m.name
			}
			m.node.locate(p, vals, out)
		}
	case kindArray:
		n := 0
		for _, it := range s.items {
			if it.node.present(vals) {
				it.node.locate(prefix+"["+strconv.Itoa(n)+"]", vals, out)
				n++
			}
		}
	}
}
