package fhirpath

import "unsafe"

// RootFields returns the names of the members of the focus that
// evaluating e with the focus as input can read, for a decoder that drops
// every other top-level member of a resource (see
// [Decoder.DecodeBorrowedFields]). ok is false when the analysis cannot
// tell, and then the whole resource must be decoded.
//
// It is sound because, outside the refused forms, no value of e is the
// focus itself: an identifier selects members of the focus, and every
// other form (members, indexers, operators, functions) only reads or
// filters the values of its operands, so the members of the focus are
// read only by identifiers evaluated on it. The refused forms are those
// that may yield the focus or the resource as a value: $this (and $index,
// $total), an identifier starting with an uppercase letter (which may name
// the resource type and select the focus), %resource, %rootResource,
// %context, a function call without a target (applied to the focus) and
// resolve() (which reads the resource's contained list).
// Arguments of where, select, exists and all are evaluated on the items of
// their target, which are not the focus, so they only need to avoid
// %resource and its synonyms ([UsesResource]); ofType, as, is and
// getReferenceKey take a type name, which is not evaluated; all other arguments are
// evaluated on the focus.
func RootFields(e Expr) (names []string, ok bool) {
	ok = rootFields(e, &names)
	return names, ok
}

func rootFields(e Expr, out *[]string) bool {
	switch x := e.(type) {
	case *Ident:
		if x.Name == "" || (x.Name[0] >= 'A' && x.Name[0] <= 'Z') {
			return false
		}
		*out = append(*out, x.Name)
		return true
	case *Member:
		return rootFields(x.Target, out)
	case *Literal:
		return true
	case *External:
		return !resourceVars[x.Name]
	case *Index:
		return rootFields(x.Target, out) && rootFields(x.Index, out)
	case *Unary:
		return rootFields(x.X, out)
	case *Binary:
		return rootFields(x.L, out) && rootFields(x.R, out)
	case *TypeOp:
		return rootFields(x.X, out)
	case *Call:
		return callRootFields(x, out)
	}
	return false
}

func callRootFields(x *Call, out *[]string) bool {
	if x.Target == nil || !rootFields(x.Target, out) {
		return false
	}
	switch x.Name {
	case "where", "select", "exists", "all":
		for _, a := range x.Args {
			if UsesResource(a) {
				return false
			}
		}
		return true
	case "ofType", "getReferenceKey", "as", "is":
		return true
	case "resolve":
		// resolve() reads the resource's contained resources.
		return false
	}
	for _, a := range x.Args {
		if !rootFields(a, out) {
			return false
		}
	}
	return true
}

// resourceVars are the %names that evaluate to the whole resource.
var resourceVars = map[string]bool{"resource": true, "rootResource": true, "context": true}

// UsesResource reports whether e refers to the whole resource through
// %resource, %rootResource or %context, or reads it through resolve()
// (which looks up contained resources), from any depth.
func UsesResource(e Expr) bool {
	found := false
	Walk(e, func(x Expr) {
		switch x := x.(type) {
		case *External:
			found = found || resourceVars[x.Name]
		case *Call:
			found = found || x.Name == "resolve"
		}
	})
	return found
}

// FieldMatches reports whether the member name of a decoded object may be
// read as the FHIRPath member want: want itself, a choice element
// (valueQuantity for value) or the primitive extensions of either
// (_birthDate, _valueDate).
func FieldMatches(name, want string) bool {
	if len(name) > 0 && name[0] == '_' {
		name = name[1:]
	}
	if len(name) < len(want) || name[:len(want)] != want {
		return false
	}
	return len(name) == len(want) || (name[len(want)] >= 'A' && name[len(want)] <= 'Z')
}

// DecodeBorrowedFields is like DecodeBorrowed for a document that is an
// object, but keeps only the top-level members whose name keep accepts
// (in document order, duplicates included); the others are checked with
// the decoder's rules but not decoded. A document that is not an object,
// or that is not valid, is decoded in full instead, so errors are exactly
// those of DecodeBorrowed.
func (d *Decoder) DecodeBorrowedFields(data []byte, keep func(name string) bool) (*Node, error) {
	if n, ok := d.decodeFields(data, keep); ok {
		return n, nil
	}
	return d.DecodeBorrowed(data)
}

// decodeFields mirrors decode and object for the top level; ok is false
// on any error.
func (d *Decoder) decodeFields(data []byte, keep func(name string) bool) (*Node, bool) {
	if len(data) == 0 {
		return nil, false
	}
	d.src, d.pos, d.depth = unsafe.String(&data[0], len(data)), 0, 0
	d.nodes.reset()
	d.fields.reset()
	d.items.reset()
	d.fstack = d.fstack[:0]
	d.istack = d.istack[:0]
	d.skipSpace()
	if d.pos >= len(d.src) || d.src[d.pos] != '{' || d.enter() != nil {
		return nil, false
	}
	n := d.nodes.one()
	d.pos++ // {
	d.skipSpace()
	if d.pos < len(d.src) && d.src[d.pos] == '}' {
		d.pos++
	} else {
		for {
			d.skipSpace()
			if d.pos >= len(d.src) || d.src[d.pos] != '"' {
				return nil, false
			}
			name, err := d.str()
			if err != nil {
				return nil, false
			}
			d.skipSpace()
			if d.pos >= len(d.src) || d.src[d.pos] != ':' {
				return nil, false
			}
			d.pos++
			if keep(name) {
				v, err := d.value()
				if err != nil {
					return nil, false
				}
				d.fstack = append(d.fstack, Field{Name: name, Value: v})
			} else if d.skipValue() != nil {
				return nil, false
			}
			done, err := d.separator('}')
			if err != nil {
				return nil, false
			}
			if done {
				break
			}
		}
	}
	fs := d.fields.alloc(len(d.fstack))
	copy(fs, d.fstack)
	d.fstack = d.fstack[:0]
	*n = Node{Kind: KindObject, Fields: fs}
	d.depth--
	d.skipSpace()
	return n, d.pos == len(d.src)
}
