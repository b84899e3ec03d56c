package fhirpath

import (
	"strconv"
	"strings"
)

// Value is one item of a [Collection]: a JSON node and, when known, its
// FHIR type (for example "Quantity" for an item read from valueQuantity, or
// "date" for a date literal).
type Value struct {
	N    *Node
	Type string
}

// Collection is the result of evaluating an expression.
type Collection []Value

var (
	trueNode  = &Node{Kind: KindBool, Bool: true}
	falseNode = &Node{Kind: KindBool}
)

// trueColl and falseColl are shared results; their capacity is 1 so an
// append by a caller copies rather than writes into them.
var (
	trueColl  = Collection{{N: trueNode}}[:1:1]
	falseColl = Collection{{N: falseNode}}[:1:1]
)

// Bool returns a one-item collection holding b. The result is shared and
// must not be modified in place.
func Bool(b bool) Collection {
	if b {
		return trueColl
	}
	return falseColl
}

// String returns a one-item collection holding s.
func String(s string) Collection {
	return Collection{{N: &Node{Kind: KindString, Str: s}}}
}

// Number returns a one-item collection holding the number written as text,
// which must be a valid JSON number.
func Number(text string) Collection {
	return Collection{{N: &Node{Kind: KindNumber, Str: text}}}
}

// Int returns a one-item collection holding i.
func Int(i int64) Collection { return Number(strconv.FormatInt(i, 10)) }

// Float returns a one-item collection holding f.
func Float(f float64) Collection { return Number(formatFloat(f)) }

// Typed returns a one-item collection holding n with the FHIR type typ.
func Typed(n *Node, typ string) Collection { return Collection{{N: n, Type: typ}} }

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// isInteger reports whether a JSON number's text has no fraction or exponent.
func isInteger(s string) bool { return !strings.ContainsAny(s, ".eE") }

// singleBool converts c to a boolean following FHIRPath's singleton rules:
// empty is unknown (ok=false), one boolean is its value, one other item is
// true, and more items are an error.
func singleBool(c Collection) (val, ok bool, err error) {
	switch len(c) {
	case 0:
		return false, false, nil
	case 1:
		if c[0].N.Kind == KindBool {
			return c[0].N.Bool, true, nil
		}
		return true, true, nil
	}
	return false, false, errorf("expected a single boolean, got %d items", len(c))
}

// AsBool reports the boolean a where clause sees: ok is false for an empty
// result, and err is set for anything but zero or one boolean.
func AsBool(c Collection) (val, ok bool, err error) {
	switch len(c) {
	case 0:
		return false, false, nil
	case 1:
		if c[0].N.Kind == KindBool {
			return c[0].N.Bool, true, nil
		}
		return false, false, errorf("expected a boolean, got %s", kindName(c[0]))
	}
	return false, false, errorf("expected a single boolean, got %d items", len(c))
}

func kindName(v Value) string {
	if v.Type != "" {
		return v.Type
	}
	switch v.N.Kind {
	case KindBool:
		return "boolean"
	case KindNumber:
		if isInteger(v.N.Str) {
			return "integer"
		}
		return "decimal"
	case KindString:
		return "string"
	case KindArray:
		return "array"
	case KindNull:
		return "null"
	}
	return "object"
}
