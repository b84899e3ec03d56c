package fhirpath

import "strings"

// fnAs implements as(type): the items of the focus that are of the type.
// FHIRPath N1 makes as() an error on more than one item, but the FHIR R4
// search parameter expressions apply it to repeating elements
// (useContext.value.as(Quantity)), so it filters like ofType().
func fnAs(c callCtx) (Collection, error) {
	t := typeName(c.call.Args[0])
	if t == "" {
		return nil, errorf("as() needs a type name")
	}
	t = qualifySystemType(t)
	start := len(c.env.slab)
	for _, v := range c.focus {
		if isType(v, t) {
			c.env.slab = append(c.env.slab, v)
		}
	}
	return c.env.since(start), nil
}

// fnIs implements is(type): whether the single item of the focus is of the
// type; empty for an empty focus.
func fnIs(c callCtx) (Collection, error) {
	t := typeName(c.call.Args[0])
	if t == "" {
		return nil, errorf("is() needs a type name")
	}
	switch len(c.focus) {
	case 0:
		return nil, nil
	case 1:
		return Bool(isType(c.focus[0], qualifySystemType(t))), nil
	}
	return nil, errorf("is() needs a single item, got %d", len(c.focus))
}

// qualifySystemType maps an unqualified FHIRPath system type name
// (DateTime, String) to its System. form, so that as(DateTime) matches a
// FHIR dateTime as FHIRPath's implicit conversion does.
func qualifySystemType(t string) string {
	if _, ok := systemTypes[t]; ok {
		return "System." + t
	}
	return t
}

// fnResolve implements resolve() without a server: for each Reference in
// the focus it returns the contained resource a local reference (#id)
// names, or else a stub resource {"resourceType": T, "id": id} built from
// the reference (Patient/1, http://x/Patient/1, or urn:uuid with
// Reference.type). The stub answers `is T` and .id; it has no other
// elements. Items that name no type resolve to nothing.
func fnResolve(c callCtx) (Collection, error) {
	start := len(c.env.slab)
	for _, v := range c.focus {
		if n := resolveRef(c.env, v.N); n != nil {
			c.env.slab = append(c.env.slab, Value{N: n})
		}
	}
	return c.env.since(start), nil
}

func resolveRef(env *Env, ref *Node) *Node {
	r := ref.Get("reference")
	if r == nil || r.Kind != KindString {
		return nil
	}
	if id, ok := strings.CutPrefix(r.Str, "#"); ok {
		return containedResource(env.Resource, id)
	}
	typ, id := ReferenceKey(ref)
	if typ == "" {
		if t := ref.Get("type"); t != nil && t.Kind == KindString {
			typ = t.Str
		}
	}
	if typ == "" {
		return nil
	}
	fields := []Field{{Name: "resourceType", Value: env.str(typ)}}
	if id != "" {
		fields = append(fields, Field{Name: "id", Value: env.str(id)})
	}
	n := env.nodes.one()
	*n = Node{Kind: KindObject, Fields: fields}
	return n
}

// containedResource returns the resource in root.contained with the id.
func containedResource(root *Node, id string) *Node {
	c := root.Get("contained")
	if c == nil || c.Kind != KindArray {
		return nil
	}
	for _, it := range c.Items {
		if x := it.Get("id"); x != nil && x.Kind == KindString && x.Str == id {
			return it
		}
	}
	return nil
}
