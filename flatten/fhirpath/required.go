package fhirpath

// RequiredStrings statically analyses a boolean filter expression, such as
// the where clause of a view, for a byte-level prefilter. It reports
// safe=true only when, for every decoded JSON input whose focus is a node
// of that input (the resource itself):
//
//  1. evaluating e never returns an error, and
//  2. its result is empty or one boolean.
//
// When safe, allOf further guarantees that the result is the single
// boolean true only if, for every set of allOf, some JSON string of the
// input (a node the Decoder made) has a value equal to one of the set.
// Every string is "plain": it has no '"', no '\\' and no control
// character, so a JSON text without any backslash that holds a string of
// that value also holds the value verbatim between two double quotes.
//
// Soundness, by structure (Ident, Member, $this, where, first, last and
// tail only select existing nodes of the focus, see pathOnly):
//
//   - p = 'lit' (either side) with p a path: equality never errors, gives
//     empty or one boolean, and true only when both sides have one item
//     and itemsEqual holds; for a string literal that needs a KindString
//     node with Str == lit, and a path yields only nodes of the input.
//   - a and b: logic never errors when both sides give at most one item;
//     true needs both sides true, so the sets of both sides hold.
//   - a or b: true needs one side true, so for every pair of a set of a
//     and a set of b, their union holds (when both sides have sets; the
//     number of pairs is capped, dropping sets only weakens the claim).
//   - x.exists(c): true needs an item of x (a node of the input) on which c
//     is true; c is evaluated with that item as focus, so c's requirement
//     holds. Without c, x.exists() is true only if x is not empty.
//   - x.where(c) is a path (a subset of x) when c is safe; it is non-empty
//     only if c is true on some item.
//   - not(), empty(), true and false are safe without a requirement.
//
// Anything else (constants, %resource, other functions, arithmetic,
// comparisons) is reported unsafe, which disables the prefilter.
func RequiredStrings(e Expr) (allOf [][]string, safe bool) {
	return boolReq(e)
}

// maxSets caps the sets an or multiplies out.
const maxSets = 16

// boolReq implements RequiredStrings.
func boolReq(e Expr) ([][]string, bool) {
	switch x := e.(type) {
	case *Literal:
		return nil, x.Kind == LitBool
	case *Binary:
		return binaryReq(x)
	case *Call:
		return callReq(x)
	}
	return nil, false
}

func binaryReq(x *Binary) ([][]string, bool) {
	switch x.Op {
	case "=":
		if lit, ok := plainString(x.R); ok && pathOnly(x.L) {
			return [][]string{{lit}}, true
		}
		if lit, ok := plainString(x.L); ok && pathOnly(x.R) {
			return [][]string{{lit}}, true
		}
		return nil, noError(x.L) && noError(x.R)
	case "!=":
		return nil, noError(x.L) && noError(x.R)
	case "and", "or":
		l, lok := boolReq(x.L)
		r, rok := boolReq(x.R)
		if !lok || !rok {
			return nil, false
		}
		if x.Op == "or" {
			return orSets(l, r), true
		}
		return append(append([][]string(nil), l...), r...), true
	}
	return nil, false
}

// orSets returns the sets that hold when the sets of l or those of r
// hold: the union of every pair.
func orSets(l, r [][]string) [][]string {
	var out [][]string
	for _, a := range l {
		for _, b := range r {
			if len(out) < maxSets {
				out = append(out, append(append([]string(nil), a...), b...))
			}
		}
	}
	return out
}

func callReq(x *Call) ([][]string, bool) {
	if x.Name == "not" && len(x.Args) == 0 {
		// not() errors on more than one item, so only not() of a safe
		// boolean is safe.
		return nil, x.Target != nil && isSafeBool(x.Target)
	}
	if x.Target != nil && !pathOnly(x.Target) {
		return nil, false
	}
	switch {
	case x.Name == "exists" && len(x.Args) == 0:
		return nonEmptyReq(x.Target), true
	case x.Name == "exists" && len(x.Args) == 1:
		req, ok := boolReq(x.Args[0])
		return append(req, nonEmptyReq(x.Target)...), ok
	case x.Name == "empty" && len(x.Args) == 0:
		return nil, true
	}
	return nil, false
}

// isSafeBool reports whether e never errors and gives empty or one
// boolean.
func isSafeBool(e Expr) bool {
	_, ok := boolReq(e)
	return ok
}

// pathOnly reports whether e never errors and every item of its result is
// a node of the focus' JSON tree (or the focus itself), given that the
// focus is.
func pathOnly(e Expr) bool {
	switch x := e.(type) {
	case *Ident:
		return true
	case *Special:
		return x.Name == "$this"
	case *Member:
		return pathOnly(x.Target)
	case *Call:
		if x.Target != nil && !pathOnly(x.Target) {
			return false
		}
		switch {
		case x.Name == "where" && len(x.Args) == 1:
			_, ok := boolReq(x.Args[0])
			return ok
		case (x.Name == "first" || x.Name == "last" || x.Name == "tail") && len(x.Args) == 0:
			return true
		}
	}
	return false
}

// nonEmptyReq returns the sets the input must hold for the path e
// (pathOnly) to be non-empty. A nil e is $this.
func nonEmptyReq(e Expr) [][]string {
	switch x := e.(type) {
	case *Member:
		return nonEmptyReq(x.Target)
	case *Call:
		var req [][]string
		if x.Name == "where" && len(x.Args) == 1 {
			req, _ = boolReq(x.Args[0])
		}
		if x.Target != nil {
			req = append(req, nonEmptyReq(x.Target)...)
		}
		return req
	}
	return nil
}

// noError reports whether evaluating e can never fail: a path or a
// literal.
func noError(e Expr) bool {
	if _, ok := e.(*Literal); ok {
		return true
	}
	return pathOnly(e)
}

// plainString returns the text of a string literal that a JSON text
// without escapes would hold verbatim.
func plainString(e Expr) (string, bool) {
	l, ok := e.(*Literal)
	if !ok || l.Kind != LitString {
		return "", false
	}
	for i := 0; i < len(l.Text); i++ {
		if c := l.Text[i]; c == '"' || c == '\\' || c < 0x20 {
			return "", false
		}
	}
	return l.Text, true
}
