package fhirpath

import (
	"strings"
)

func fnJoin(c callCtx) (Collection, error) {
	sep := ""
	if len(c.call.Args) == 1 {
		s, _, err := c.argString(0)
		if err != nil {
			return nil, err
		}
		sep = s
	}
	// An empty collection joins to the empty string, as the SQL-on-FHIR
	// join tests expect.
	parts := make([]string, len(c.focus))
	for i, v := range c.focus {
		parts[i] = textOf(v.N)
	}
	return String(strings.Join(parts, sep)), nil
}

// typeName extracts a type name from an ofType() argument: Quantity,
// FHIR.Quantity or System.String.
func typeName(e Expr) string {
	switch x := e.(type) {
	case *Ident:
		return x.Name
	case *Member:
		if p := typeName(x.Target); p != "" {
			return p + "." + x.Name
		}
	}
	return ""
}

func fnOfType(c callCtx) (Collection, error) {
	t := typeName(c.call.Args[0])
	if t == "" {
		return nil, errorf("ofType() needs a type name")
	}
	start := len(c.env.slab)
	for _, v := range c.focus {
		if isType(v, t) {
			c.env.slab = append(c.env.slab, v)
		}
	}
	return c.env.since(start), nil
}

func ofType(in Collection, t string) Collection {
	var out Collection
	for _, v := range in {
		if isType(v, t) {
			out = append(out, v)
		}
	}
	return out
}

// systemTypes maps FHIRPath System types to the FHIR primitive they hold.
var systemTypes = map[string]string{
	"String": "string", "Boolean": "boolean", "Integer": "integer", "Decimal": "decimal",
	"Date": "date", "DateTime": "dateTime", "Time": "time",
}

// stringTypes are the FHIR primitives carried as JSON strings.
var stringTypes = map[string]bool{
	"string": true, "code": true, "id": true, "uri": true, "url": true, "canonical": true,
	"markdown": true, "oid": true, "uuid": true, "base64Binary": true, "date": true,
	"dateTime": true, "instant": true, "time": true, "integer64": true,
}

// isType reports whether v is of FHIR type t. Without a model, an item's
// type is known from a choice element suffix; otherwise it is guessed from
// its JSON kind (a JSON string matches any string-based primitive) or, for
// resources, from resourceType.
func isType(v Value, t string) bool {
	if rest, ok := strings.CutPrefix(t, "System."); ok {
		t = systemTypes[rest]
	} else {
		t = strings.TrimPrefix(t, "FHIR.")
	}
	if v.Type != "" {
		return v.Type == t
	}
	switch v.N.Kind {
	case KindBool:
		return t == "boolean"
	case KindNumber:
		if isInteger(v.N.Str) {
			return t == "integer" || t == "positiveInt" || t == "unsignedInt" || t == "integer64"
		}
		return t == "decimal"
	case KindString:
		return stringTypes[t]
	case KindObject:
		rt := v.N.Get("resourceType")
		return rt != nil && (rt.Str == t || t == "Resource" || t == "DomainResource")
	}
	return false
}

func fnExtension(c callCtx) (Collection, error) {
	url, ok, err := c.argString(0)
	if err != nil || !ok {
		return nil, err
	}
	var out Collection
	for _, v := range c.focus {
		ext := v.N.Get("extension")
		if ext == nil || ext.Kind != KindArray {
			continue
		}
		for _, e := range ext.Items {
			if u := e.Get("url"); u != nil && u.Str == url {
				out = append(out, Value{N: e, Type: "Extension"})
			}
		}
	}
	return out, nil
}

func fnResourceKey(c callCtx) (Collection, error) {
	start := len(c.env.slab)
	for _, v := range c.focus {
		if id := v.N.Get("id"); id != nil && id.Kind == KindString {
			c.env.slab = append(c.env.slab, Value{N: id})
		}
	}
	return c.env.since(start), nil
}

func fnReferenceKey(c callCtx) (Collection, error) {
	want := ""
	if len(c.call.Args) == 1 {
		if want = typeName(c.call.Args[0]); want == "" {
			s, _, err := c.argString(0)
			if err != nil {
				return nil, err
			}
			want = s
		}
	}
	start := len(c.env.slab)
	for _, v := range c.focus {
		typ, id := ReferenceKey(v.N)
		if id == "" || (want != "" && typ != "" && typ != want) {
			continue
		}
		c.env.slab = append(c.env.slab, Value{N: c.env.str(id)})
	}
	return c.env.since(start), nil
}

// ReferenceKey splits the reference of a Reference object into its type
// and id. It understands relative (Patient/1), absolute
// (http://x/fhir/Patient/1), versioned (Patient/1/_history/2) and
// urn:uuid: references; for the latter the type comes from Reference.type
// and may be empty. Conditional references and fragments give an empty id.
func ReferenceKey(n *Node) (typ, id string) {
	r := n.Get("reference")
	if r == nil || r.Kind != KindString {
		return "", ""
	}
	s := r.Str
	if i := strings.Index(s, "/_history/"); i >= 0 {
		s = s[:i]
	}
	if strings.ContainsAny(s, "?#") {
		return "", ""
	}
	if u, ok := strings.CutPrefix(s, "urn:uuid:"); ok {
		if t := n.Get("type"); t != nil && t.Kind == KindString {
			typ = t.Str
		}
		return typ, u
	}
	if u, ok := strings.CutPrefix(s, "urn:oid:"); ok {
		return "", u
	}
	slash := strings.LastIndexByte(s, '/')
	if slash <= 0 || slash == len(s)-1 {
		return "", ""
	}
	id = s[slash+1:]
	typ = s[:slash]
	if j := strings.LastIndexByte(typ, '/'); j >= 0 {
		typ = typ[j+1:]
	}
	return typ, id
}
