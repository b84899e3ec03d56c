package fhirpath

import (
	"strings"
)

// funcSpec describes a function: its argument count bounds and its
// implementation. Functions whose arguments are evaluated per item (where,
// select, exists, all, iif) receive the unevaluated argument expressions.
type funcSpec struct {
	min, max int
	fn       func(c callCtx) (Collection, error)
}

// callCtx is what a function implementation sees.
type callCtx struct {
	call  *Call
	env   *Env
	in    Collection // the focus of the whole expression, for arguments
	focus Collection // the collection the function is called on
}

// arg evaluates argument i against the expression's focus.
func (c callCtx) arg(i int) (Collection, error) {
	return eval(c.call.Args[i], c.env, c.in)
}

// argString evaluates argument i to a single string; ok is false when empty.
func (c callCtx) argString(i int) (string, bool, error) {
	v, err := c.arg(i)
	if err != nil || len(v) == 0 {
		return "", false, err
	}
	if len(v) > 1 || v[0].N.Kind != KindString {
		return "", false, errorf("%s() argument %d must be a single string", c.call.Name, i+1)
	}
	return v[0].N.Str, true, nil
}

var funcs map[string]funcSpec

func init() {
	funcs = map[string]funcSpec{
		"where":           {1, 1, fnWhere},
		"select":          {1, 1, fnSelect},
		"exists":          {0, 1, fnExists},
		"all":             {1, 1, fnAll},
		"empty":           {0, 0, func(c callCtx) (Collection, error) { return Bool(len(c.focus) == 0), nil }},
		"count":           {0, 0, func(c callCtx) (Collection, error) { return Int(int64(len(c.focus))), nil }},
		"not":             {0, 0, fnNot},
		"first":           {0, 0, func(c callCtx) (Collection, error) { return sub(c.focus, 0, 1), nil }},
		"last":            {0, 0, func(c callCtx) (Collection, error) { return sub(c.focus, len(c.focus)-1, len(c.focus)), nil }},
		"tail":            {0, 0, func(c callCtx) (Collection, error) { return sub(c.focus, 1, len(c.focus)), nil }},
		"skip":            {1, 1, fnSkip},
		"take":            {1, 1, fnTake},
		"single":          {0, 0, fnSingle},
		"distinct":        {0, 0, func(c callCtx) (Collection, error) { return distinct(c.focus), nil }},
		"hasValue":        {0, 0, fnHasValue},
		"join":            {0, 1, fnJoin},
		"ofType":          {1, 1, fnOfType},
		"extension":       {1, 1, fnExtension},
		"getResourceKey":  {0, 0, fnResourceKey},
		"getReferenceKey": {0, 1, fnReferenceKey},
		"iif":             {2, 3, fnIif},
		"contains":        {1, 1, stringPredicate(strings.Contains)},
		"startsWith":      {1, 1, stringPredicate(strings.HasPrefix)},
		"endsWith":        {1, 1, stringPredicate(strings.HasSuffix)},
		"substring":       {1, 2, fnSubstring},
		"lower":           {0, 0, stringMap(strings.ToLower)},
		"upper":           {0, 0, stringMap(strings.ToUpper)},
		"trim":            {0, 0, stringMap(strings.TrimSpace)},
		"length":          {0, 0, fnLength},
		"toString":        {0, 0, fnToString},
		"lowBoundary":     {0, 1, fnLowBoundary},
		"highBoundary":    {0, 1, fnHighBoundary},
		"as":              {1, 1, fnAs},
		"is":              {1, 1, fnIs},
		"resolve":         {0, 0, fnResolve},
	}
}

func evalCall(x *Call, env *Env, in Collection) (Collection, error) {
	spec := x.spec
	if spec == nil {
		s, ok := funcs[x.Name]
		if !ok {
			return nil, errorf("unknown function %s() at offset %d", x.Name, x.Offset)
		}
		spec = &s
	}
	if len(x.Args) < spec.min || len(x.Args) > spec.max {
		return nil, errorf("%s() takes %d to %d arguments, got %d", x.Name, spec.min, spec.max, len(x.Args))
	}
	focus := in
	if x.Target != nil {
		var err error
		if focus, err = eval(x.Target, env, in); err != nil {
			return nil, err
		}
	}
	return spec.fn(callCtx{call: x, env: env, in: in, focus: focus})
}

// CheckFunctions reports the first call in e to a function this package
// does not implement, or with a wrong number of arguments, so that views
// fail when compiled rather than when evaluated.
func CheckFunctions(e Expr) error {
	var err error
	Walk(e, func(x Expr) {
		c, ok := x.(*Call)
		if !ok || err != nil {
			return
		}
		spec, ok := funcs[c.Name]
		switch {
		case !ok:
			err = errorf("unknown function %s() at offset %d", c.Name, c.Offset)
		case len(c.Args) < spec.min || len(c.Args) > spec.max:
			err = errorf("%s() takes %d to %d arguments, got %d", c.Name, spec.min, spec.max, len(c.Args))
		case (c.Name == "ofType" || c.Name == "as" || c.Name == "is") && typeName(c.Args[0]) == "":
			err = errorf("%s() needs a type name at offset %d", c.Name, c.Offset)
		}
	})
	return err
}

// Walk calls fn for e and every expression below it, parents first.
func Walk(e Expr, fn func(Expr)) {
	if e == nil {
		return
	}
	fn(e)
	switch x := e.(type) {
	case *Member:
		Walk(x.Target, fn)
	case *Call:
		Walk(x.Target, fn)
		for _, a := range x.Args {
			Walk(a, fn)
		}
	case *Index:
		Walk(x.Target, fn)
		Walk(x.Index, fn)
	case *Unary:
		Walk(x.X, fn)
	case *Binary:
		Walk(x.L, fn)
		Walk(x.R, fn)
	case *TypeOp:
		Walk(x.X, fn)
	}
}

func sub(c Collection, from, to int) Collection {
	from = max(from, 0)
	to = min(to, len(c))
	if from >= to {
		return nil
	}
	return c[from:to:to]
}

// perItem evaluates argument 0 with each item of the focus as $this.
func perItem(c callCtx, fn func(v Value, r Collection) error) error {
	for _, v := range c.focus {
		r, err := eval(c.call.Args[0], c.env, c.env.single(v))
		if err != nil {
			return err
		}
		if err := fn(v, r); err != nil {
			return err
		}
	}
	return nil
}

func fnWhere(c callCtx) (Collection, error) {
	var buf [8]Value
	out := buf[:0]
	err := perItem(c, func(v Value, r Collection) error {
		b, ok, err := singleBool(r)
		if ok && b {
			out = append(out, v)
		}
		return err
	})
	if err != nil || len(out) == 0 {
		return nil, err
	}
	start := len(c.env.slab)
	c.env.slab = append(c.env.slab, out...)
	return c.env.since(start), nil
}

func fnSelect(c callCtx) (Collection, error) {
	var out Collection
	err := perItem(c, func(_ Value, r Collection) error {
		out = append(out, r...)
		return nil
	})
	return out, err
}

func fnExists(c callCtx) (Collection, error) {
	if len(c.call.Args) == 0 {
		return Bool(len(c.focus) > 0), nil
	}
	w, err := fnWhere(c)
	return Bool(len(w) > 0), err
}

func fnAll(c callCtx) (Collection, error) {
	all := true
	err := perItem(c, func(_ Value, r Collection) error {
		b, ok, err := singleBool(r)
		if !ok || !b {
			all = false
		}
		return err
	})
	return Bool(all), err
}

func fnNot(c callCtx) (Collection, error) {
	b, ok, err := singleBool(c.focus)
	if err != nil || !ok {
		return nil, err
	}
	return Bool(!b), nil
}

func fnSkip(c callCtx) (Collection, error) {
	n, ok, err := argInt(c)
	if err != nil || !ok {
		return nil, err
	}
	return sub(c.focus, int(min(max(n, 0), int64(len(c.focus)))), len(c.focus)), nil
}

func fnTake(c callCtx) (Collection, error) {
	n, ok, err := argInt(c)
	if err != nil || !ok {
		return nil, err
	}
	return sub(c.focus, 0, int(min(max(n, 0), int64(len(c.focus))))), nil
}

func argInt(c callCtx) (int64, bool, error) {
	v, err := c.arg(0)
	if err != nil {
		return 0, false, err
	}
	return singleInt(v)
}

func fnSingle(c callCtx) (Collection, error) {
	if len(c.focus) > 1 {
		return nil, errorf("single() on %d items", len(c.focus))
	}
	return c.focus, nil
}

func fnHasValue(c callCtx) (Collection, error) {
	ok := len(c.focus) == 1
	if ok {
		k := c.focus[0].N.Kind
		ok = k == KindBool || k == KindNumber || k == KindString
	}
	return Bool(ok), nil
}

// distinct removes repeated items, keeping the first of each.
func distinct(c Collection) Collection {
	return distinctInPlace(append(Collection(nil), c...))
}

// distinctInPlace is distinct reusing the memory of c, which it modifies.
func distinctInPlace(c Collection) Collection {
	if len(c) < 2 {
		return c
	}
	out := c[:0]
	for _, v := range c {
		dup := false
		for _, o := range out {
			if itemsEqual(v, o, false) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

func fnIif(c callCtx) (Collection, error) {
	cond, err := c.arg(0)
	if err != nil {
		return nil, err
	}
	b, ok, err := singleBool(cond)
	if err != nil {
		return nil, err
	}
	if ok && b {
		return c.arg(1)
	}
	if len(c.call.Args) == 3 {
		return c.arg(2)
	}
	return nil, nil
}
