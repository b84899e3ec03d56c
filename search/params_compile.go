package search

import (
	"fmt"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// compileParam parses p's expression and those of its components, and
// resolves each component's definition to its code and type. A failure is
// recorded in p.err; such a parameter yields no values.
func compileParam(p *Param, r *registry) {
	if p.Expression != "" {
		e, err := compile(p.Expression)
		if err != nil {
			p.err = fmt.Errorf("search: parameter %s.%s: %w", p.Base, p.Code, err)
			return
		}
		p.expr, p.branches = e, unionBranches(e, nil)
	}
	for i := range p.Components {
		c := &p.Components[i]
		def, ok := r.byURL[c.Definition]
		if !ok {
			p.err = fmt.Errorf("search: parameter %s.%s: component %s is not defined", p.Base, p.Code, c.Definition)
			return
		}
		c.Code, c.Type, c.targets = def.Code, def.Type, def.Targets
		e, err := compile(c.Expression)
		if err != nil {
			p.err = fmt.Errorf("search: parameter %s.%s component %s: %w", p.Base, p.Code, c.Code, err)
			return
		}
		c.expr, c.branches = e, unionBranches(e, nil)
	}
}

// compile parses a search expression and replaces each `X as T` operator
// by the function X.as(T). R4's expressions apply `as` to repeating
// elements ((ActivityDefinition.useContext.value as CodeableConcept)),
// where FHIRPath's operator is an error; the function filters every item.
func compile(src string) (fhirpath.Expr, error) {
	e, err := fhirpath.Parse(src)
	if err != nil {
		return nil, err
	}
	if hasTypeOpAs(e) {
		// Print and parse again so the parser binds the functions.
		rewritten := rewriteAs(e)
		if e, err = fhirpath.Parse(rewritten.String()); err != nil {
			return nil, fmt.Errorf("rewritten %q: %w", rewritten.String(), err)
		}
	}
	if err := fhirpath.CheckFunctions(e); err != nil {
		return nil, err
	}
	return e, nil
}

func hasTypeOpAs(e fhirpath.Expr) bool {
	found := false
	fhirpath.Walk(e, func(x fhirpath.Expr) {
		if t, ok := x.(*fhirpath.TypeOp); ok && t.Op == "as" {
			found = true
		}
	})
	return found
}

// rewriteAs returns e with every `as` operator turned into a call of as(),
// modifying e's nodes in place.
func rewriteAs(e fhirpath.Expr) fhirpath.Expr {
	switch x := e.(type) {
	case *fhirpath.TypeOp:
		x.X = rewriteAs(x.X)
		if x.Op == "as" {
			return &fhirpath.Call{Target: x.X, Name: "as", Args: []fhirpath.Expr{typeExpr(x.Type)}, Offset: x.Offset}
		}
	case *fhirpath.Member:
		x.Target = rewriteAs(x.Target)
	case *fhirpath.Call:
		x.Target = rewriteAs(x.Target)
		for i := range x.Args {
			x.Args[i] = rewriteAs(x.Args[i])
		}
	case *fhirpath.Index:
		x.Target = rewriteAs(x.Target)
		x.Index = rewriteAs(x.Index)
	case *fhirpath.Unary:
		x.X = rewriteAs(x.X)
	case *fhirpath.Binary:
		x.L = rewriteAs(x.L)
		x.R = rewriteAs(x.R)
	}
	return e
}

// typeExpr turns a type name such as Quantity or FHIR.Quantity into the
// path expression as() takes.
func typeExpr(name string) fhirpath.Expr {
	var e fhirpath.Expr
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '.' {
			continue
		}
		part := name[start:i]
		if e == nil {
			e = &fhirpath.Ident{Name: part}
		} else {
			e = &fhirpath.Member{Target: e, Name: part}
		}
		start = i + 1
	}
	return e
}

// unionBranches appends the operands of e's top-level union operators to
// out. Extract evaluates them one by one: FHIRPath's union removes
// duplicates by comparing whole items, which costs more than the
// duplicate removal Extract does on the index values.
func unionBranches(e fhirpath.Expr, out []fhirpath.Expr) []fhirpath.Expr {
	if b, ok := e.(*fhirpath.Binary); ok && b.Op == "|" {
		return unionBranches(b.R, unionBranches(b.L, out))
	}
	return append(out, e)
}
