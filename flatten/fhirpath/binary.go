package fhirpath

import (
	"bytes"
	"math"
	"strconv"
	"strings"
)

func evalBinary(x *Binary, env *Env, in Collection) (Collection, error) {
	l, err := eval(x.L, env, in)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case "and", "or", "xor", "implies":
		return logic(x, env, in, l)
	}
	r, err := eval(x.R, env, in)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case "=", "!=", "~", "!~":
		return equality(x.Op, l, r), nil
	case "<", ">", "<=", ">=":
		return compare(x.Op, l, r)
	case "|":
		start := len(env.slab)
		env.slab = append(append(env.slab, l...), r...)
		return distinctInPlace(env.since(start)), nil
	case "in":
		return membership(l, r)
	case "contains":
		return membership(r, l)
	case "&":
		return String(concatText(l) + concatText(r)), nil
	}
	return arithmetic(x.Op, l, r)
}

// logic applies FHIRPath's three-valued logic; the right side is
// evaluated only when it can change the result.
func logic(x *Binary, env *Env, in, lc Collection) (Collection, error) {
	l, lok, err := singleBool(lc)
	if err != nil {
		return nil, err
	}
	switch {
	case x.Op == "and" && lok && !l:
		return Bool(false), nil
	case x.Op == "or" && lok && l:
		return Bool(true), nil
	case x.Op == "implies" && lok && !l:
		return Bool(true), nil
	}
	rc, err := eval(x.R, env, in)
	if err != nil {
		return nil, err
	}
	r, rok, err := singleBool(rc)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case "and":
		if rok && !r {
			return Bool(false), nil
		}
		if lok && rok {
			return Bool(true), nil
		}
	case "or":
		if rok && r {
			return Bool(true), nil
		}
		if lok && rok {
			return Bool(false), nil
		}
	case "xor":
		if lok && rok {
			return Bool(l != r), nil
		}
	case "implies":
		if rok && r {
			return Bool(true), nil
		}
		if lok && rok {
			return Bool(false), nil
		}
	}
	return nil, nil
}

func equality(op string, l, r Collection) Collection {
	equiv := op == "~" || op == "!~"
	if (len(l) == 0 || len(r) == 0) && !equiv {
		return nil
	}
	eq := len(l) == len(r)
	for i := 0; eq && i < len(l); i++ {
		eq = itemsEqual(l[i], r[i], equiv)
	}
	if op == "!=" || op == "!~" {
		eq = !eq
	}
	return Bool(eq)
}

// itemsEqual compares two items; equiv selects the looser ~ comparison.
func itemsEqual(a, b Value, equiv bool) bool {
	x, y := a.N, b.N
	if x.Kind != y.Kind {
		return false
	}
	switch x.Kind {
	case KindBool:
		return x.Bool == y.Bool
	case KindNumber:
		fx, _ := strconv.ParseFloat(x.Str, 64)
		fy, _ := strconv.ParseFloat(y.Str, 64)
		return fx == fy
	case KindString:
		if equiv {
			return strings.EqualFold(strings.Join(strings.Fields(x.Str), " "), strings.Join(strings.Fields(y.Str), " "))
		}
		return x.Str == y.Str
	case KindNull:
		return true
	}
	return bytes.Equal(x.AppendJSON(nil), y.AppendJSON(nil))
}

func compare(op string, l, r Collection) (Collection, error) {
	if len(l) == 0 || len(r) == 0 {
		return nil, nil
	}
	if len(l) > 1 || len(r) > 1 {
		return nil, errorf("%q needs single items", op)
	}
	a, b := l[0].N, r[0].N
	var c int
	switch {
	case a.Kind == KindNumber && b.Kind == KindNumber:
		fa, _ := strconv.ParseFloat(a.Str, 64)
		fb, _ := strconv.ParseFloat(b.Str, 64)
		c = cmpFloat(fa, fb)
	case a.Kind == KindString && b.Kind == KindString:
		c = strings.Compare(a.Str, b.Str)
	default:
		return nil, errorf("cannot compare %s with %s", kindName(l[0]), kindName(r[0]))
	}
	switch op {
	case "<":
		return Bool(c < 0), nil
	case ">":
		return Bool(c > 0), nil
	case "<=":
		return Bool(c <= 0), nil
	}
	return Bool(c >= 0), nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func membership(item, coll Collection) (Collection, error) {
	if len(item) == 0 {
		return nil, nil
	}
	if len(item) > 1 {
		return nil, errorf("membership needs a single item")
	}
	for _, v := range coll {
		if itemsEqual(item[0], v, false) {
			return Bool(true), nil
		}
	}
	return Bool(false), nil
}

// concatText is the string form of a single item for &; empty is "".
func concatText(c Collection) string {
	if len(c) == 0 {
		return ""
	}
	return textOf(c[0].N)
}

// textOf is the string form of a primitive node, or its JSON.
func textOf(n *Node) string {
	switch n.Kind {
	case KindString, KindNumber:
		return n.Str
	case KindBool:
		return strconv.FormatBool(n.Bool)
	}
	return n.String()
}

func arithmetic(op string, l, r Collection) (Collection, error) {
	if len(l) == 0 || len(r) == 0 {
		return nil, nil
	}
	if len(l) > 1 || len(r) > 1 {
		return nil, errorf("%q needs single items", op)
	}
	a, b := l[0].N, r[0].N
	if op == "+" && a.Kind == KindString && b.Kind == KindString {
		return String(a.Str + b.Str), nil
	}
	if a.Kind != KindNumber || b.Kind != KindNumber {
		return nil, errorf("%q needs numbers, got %s and %s", op, kindName(l[0]), kindName(r[0]))
	}
	if isInteger(a.Str) && isInteger(b.Str) && op != "/" {
		ia, errA := strconv.ParseInt(a.Str, 10, 64)
		ib, errB := strconv.ParseInt(b.Str, 10, 64)
		if errA == nil && errB == nil {
			return intArith(op, ia, ib), nil
		}
	}
	fa, _ := strconv.ParseFloat(a.Str, 64)
	fb, _ := strconv.ParseFloat(b.Str, 64)
	return floatArith(op, fa, fb), nil
}

func intArith(op string, a, b int64) Collection {
	switch op {
	case "+":
		return Int(a + b)
	case "-":
		return Int(a - b)
	case "*":
		return Int(a * b)
	case "div":
		if b == 0 {
			return nil
		}
		return Int(a / b)
	case "mod":
		if b == 0 {
			return nil
		}
		return Int(a % b)
	}
	return nil
}

func floatArith(op string, a, b float64) Collection {
	var f float64
	switch op {
	case "+":
		f = a + b
	case "-":
		f = a - b
	case "*":
		f = a * b
	case "/":
		if b == 0 {
			return nil
		}
		f = a / b
	case "div":
		if b == 0 {
			return nil
		}
		f = math.Trunc(a / b)
	case "mod":
		if b == 0 {
			return nil
		}
		f = math.Mod(a, b)
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil
	}
	return Float(f)
}
