package fhirpath

import (
	"fmt"
	"strconv"
)

// Env holds what an evaluation may read besides its input.
type Env struct {
	// Resource is the resource being evaluated, returned by %resource and
	// used by getResourceKey().
	Resource *Node
	// Constants are the %name values.
	Constants map[string]Collection
	// RowIndex is the value of %rowIndex.
	RowIndex int

	// slab holds the items of intermediate results so that evaluation
	// does not allocate a slice per step; see Reset.
	slab  []Value
	nodes arena[Node]
}

// Reset forgets the intermediate results of earlier evaluations so that
// their memory is reused. Collections returned before Reset must not be
// used after it.
func (env *Env) Reset() {
	env.slab = env.slab[:0]
	env.nodes.reset()
}

// since returns the items appended to the slab after start as one
// collection with no spare capacity, so appends by callers copy.
func (env *Env) since(start int) Collection {
	if len(env.slab) == start {
		return nil
	}
	return env.slab[start:len(env.slab):len(env.slab)]
}

// str returns a string node from the evaluation's arena.
func (env *Env) str(s string) *Node {
	n := env.nodes.one()
	*n = Node{Kind: KindString, Str: s}
	return n
}

// single returns a one-item collection holding v, from the slab.
func (env *Env) single(v Value) Collection {
	env.slab = append(env.slab, v)
	n := len(env.slab)
	return env.slab[n-1 : n : n]
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("fhirpath: "+format, args...)
}

// Eval evaluates e with input as the focus ($this at the start of a path).
func Eval(e Expr, env *Env, input Collection) (Collection, error) {
	return eval(e, env, input)
}

func eval(e Expr, env *Env, in Collection) (Collection, error) {
	switch x := e.(type) {
	case *Ident:
		return member(env, in, x.Name, true), nil
	case *Member:
		t, err := eval(x.Target, env, in)
		if err != nil {
			return nil, err
		}
		return member(env, t, x.Name, false), nil
	case *Call:
		return evalCall(x, env, in)
	case *Literal:
		return literal(x)
	case *Special:
		if x.Name == "$this" {
			return in, nil
		}
		return nil, errorf("%s is not supported here", x.Name)
	case *External:
		return external(x, env)
	case *Index:
		return evalIndex(x, env, in)
	case *Unary:
		return evalUnary(x, env, in)
	case *Binary:
		return evalBinary(x, env, in)
	case *TypeOp:
		return evalTypeOp(x, env, in)
	}
	return nil, errorf("unknown expression %T", e)
}

// literal returns the value of x, computed by the parser when it made x.
func literal(x *Literal) (Collection, error) {
	if x.value != nil {
		return x.value, nil
	}
	return literalValue(x.Kind, x.Text), nil
}

func literalValue(kind LiteralKind, text string) Collection {
	switch kind {
	case LitBool:
		return Bool(text == "true")
	case LitString:
		return String(text)
	case LitNumber:
		return Number(text)
	case LitDate:
		return Typed(&Node{Kind: KindString, Str: text}, dateLiteralType(text))
	}
	return nil
}

func dateLiteralType(s string) string {
	switch {
	case s[0] == 'T':
		return "time"
	case len(s) > 10:
		return "dateTime"
	}
	return "date"
}

func external(x *External, env *Env) (Collection, error) {
	switch x.Name {
	case "rowIndex":
		return Int(int64(env.RowIndex)), nil
	case "resource", "rootResource", "context":
		if env.Resource == nil {
			return nil, nil
		}
		return Collection{{N: env.Resource}}, nil
	case "ucum":
		return String("http://unitsofmeasure.org"), nil
	case "sct":
		return String("http://snomed.info/sct"), nil
	case "loinc":
		return String("http://loinc.org"), nil
	}
	if c, ok := env.Constants[x.Name]; ok {
		return c, nil
	}
	return nil, errorf("undefined variable %%%s at offset %d", x.Name, x.Offset)
}

// member navigates to the field name of every object in in, flattening
// arrays. At the start of a path (root), a name equal to an item's
// resourceType selects the item itself.
func member(env *Env, in Collection, name string, root bool) Collection {
	start := len(env.slab)
	for _, v := range in {
		n := v.N
		if n.Kind != KindObject {
			continue
		}
		if root && name != "" && name[0] >= 'A' && name[0] <= 'Z' {
			if rt := n.Get("resourceType"); rt != nil && rootTypeMatches(rt.Str, name) {
				env.slab = append(env.slab, v)
				continue
			}
		}
		env.slab = appendField(env.slab, n, name)
	}
	return env.since(start)
}

// rootTypeMatches reports whether a path starting with the type name
// selects a resource of type rt: its own type, Resource for any resource,
// or DomainResource for all but Bundle, Binary and Parameters (as in the
// search parameter expressions Resource.id and DomainResource.text).
func rootTypeMatches(rt, name string) bool {
	switch name {
	case rt, "Resource":
		return true
	case "DomainResource":
		return rt != "Bundle" && rt != "Binary" && rt != "Parameters"
	}
	return false
}

// appendField appends the value(s) of field name of n, or of a choice
// element name[x] when there is no field called name.
func appendField(out []Value, n *Node, name string) []Value {
	for i := range n.Fields {
		if n.Fields[i].Name == name {
			return appendNode(out, n.Fields[i].Value, "")
		}
	}
	for i := range n.Fields {
		f := n.Fields[i].Name
		if len(f) > len(name) && f[:len(name)] == name && f[len(name)] >= 'A' && f[len(name)] <= 'Z' {
			return appendNode(out, n.Fields[i].Value, choiceType(f[len(name):]))
		}
	}
	return out
}

func appendNode(out []Value, n *Node, typ string) []Value {
	switch n.Kind {
	case KindNull:
		return out
	case KindArray:
		for _, it := range n.Items {
			if it.Kind != KindNull {
				out = append(out, Value{N: it, Type: typ})
			}
		}
		return out
	}
	return append(out, Value{N: n, Type: typ})
}

// primitiveTypes are the FHIR primitive type names, which start lowercase.
var primitiveTypes = map[string]bool{
	"base64Binary": true, "boolean": true, "canonical": true, "code": true, "date": true,
	"dateTime": true, "decimal": true, "id": true, "instant": true, "integer": true,
	"integer64": true, "markdown": true, "oid": true, "positiveInt": true, "string": true,
	"time": true, "unsignedInt": true, "uri": true, "url": true, "uuid": true,
}

// choiceSuffixes maps the choice-element suffix of each primitive type
// (DateTime) to its type name (dateTime).
var choiceSuffixes = func() map[string]string {
	m := make(map[string]string, len(primitiveTypes))
	for t := range primitiveTypes {
		m[string(t[0]-('a'-'A'))+t[1:]] = t
	}
	return m
}()

// choiceType maps the suffix of a choice element (DateTime, Quantity) to a
// FHIR type name (dateTime, Quantity).
func choiceType(suffix string) string {
	if t, ok := choiceSuffixes[suffix]; ok {
		return t
	}
	return suffix
}

func evalIndex(x *Index, env *Env, in Collection) (Collection, error) {
	t, err := eval(x.Target, env, in)
	if err != nil {
		return nil, err
	}
	idx, err := eval(x.Index, env, in)
	if err != nil {
		return nil, err
	}
	i, ok, err := singleInt(idx)
	if err != nil || !ok {
		return nil, err
	}
	if i < 0 || i >= int64(len(t)) {
		return nil, nil
	}
	return t[i : i+1 : i+1], nil
}

// singleInt reads a single integer; ok is false for an empty collection.
func singleInt(c Collection) (int64, bool, error) {
	if len(c) == 0 {
		return 0, false, nil
	}
	if len(c) > 1 || c[0].N.Kind != KindNumber || !isInteger(c[0].N.Str) {
		return 0, false, errorf("expected a single integer")
	}
	i, err := strconv.ParseInt(c[0].N.Str, 10, 64)
	if err != nil {
		return 0, false, errorf("integer out of range: %s", c[0].N.Str)
	}
	return i, true, nil
}

func evalUnary(x *Unary, env *Env, in Collection) (Collection, error) {
	c, err := eval(x.X, env, in)
	if err != nil || len(c) == 0 || x.Op == "+" {
		return c, err
	}
	if len(c) > 1 || c[0].N.Kind != KindNumber {
		return nil, errorf("unary minus needs a single number")
	}
	s := c[0].N.Str
	if s[0] == '-' {
		return Number(s[1:]), nil
	}
	return Number("-" + s), nil
}

func evalTypeOp(x *TypeOp, env *Env, in Collection) (Collection, error) {
	c, err := eval(x.X, env, in)
	if err != nil {
		return nil, err
	}
	if len(c) > 1 {
		return nil, errorf("%q needs a single item", x.Op)
	}
	if x.Op == "is" {
		if len(c) == 0 {
			return nil, nil
		}
		return Bool(isType(c[0], x.Type)), nil
	}
	return ofType(c, x.Type), nil
}
