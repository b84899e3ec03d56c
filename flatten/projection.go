package flatten

import (
	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// projection is the set of top-level members of a resource that a view
// can read, so that the decoder may skip the others (a Patient view of
// gender and birthDate need not decode identifier, telecom or extension).
// A nil *projection means "decode everything".
//
// It is computed from the view's expressions by fhirpath.RootFields,
// which explains why the members of the resource are only read by
// identifiers evaluated on the resource itself. The expressions evaluated
// on the resource are the where clauses and, in the selects reached from
// the root without a forEach, forEachOrNull or repeat, the columns and the
// iteration paths; expressions below an iteration are evaluated on items,
// which are never the resource, and only need to avoid %resource. The
// resourceType member is always kept (rowsWith reads it).
type projection struct {
	names []string
}

// newProjection analyses v; it returns nil when v may read any member.
func newProjection(v *View) *projection {
	p := &projection{names: []string{"resourceType"}}
	for _, w := range v.where {
		if !p.addRoot(w) {
			return nil
		}
	}
	if !p.addSelect(v.root, true) {
		return nil
	}
	return p
}

// addSelect adds the names that select n reads; onRoot tells whether its
// input is the resource.
func (p *projection) addSelect(n *selectNode, onRoot bool) bool {
	add := p.addItem
	if onRoot {
		add = p.addRoot
	}
	if n.mode != iterNone {
		if n.mode != iterRepeat && !add(n.iter) {
			return false
		}
		for _, r := range n.repeat {
			if !add(r) {
				return false
			}
		}
		// Columns and nested selects see the items.
		onRoot, add = false, p.addItem
	}
	for _, col := range n.cols {
		if !add(col.expr) {
			return false
		}
	}
	for _, ch := range n.children {
		if !p.addSelect(ch, onRoot) {
			return false
		}
	}
	for _, u := range n.union {
		if !p.addSelect(u, onRoot) {
			return false
		}
	}
	return true
}

// addRoot adds the members an expression evaluated on the resource reads.
func (p *projection) addRoot(e compiledExpr) bool {
	names, ok := fhirpath.RootFields(e.expr)
	p.names = append(p.names, names...)
	return ok
}

// addItem checks an expression evaluated on items below the resource.
func (p *projection) addItem(e compiledExpr) bool {
	return !fhirpath.UsesResource(e.expr)
}

// keep reports whether the top-level member name may be read.
func (p *projection) keep(name string) bool {
	for _, want := range p.names {
		if fhirpath.FieldMatches(name, want) {
			return true
		}
	}
	return false
}
