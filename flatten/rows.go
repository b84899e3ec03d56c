package flatten

import (
	"fmt"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// row holds the values of every output column of one row; nil is null.
type row []fhirpath.Collection

// evaluator evaluates a view over one decoded resource.
type evaluator struct {
	v     *View
	env   fhirpath.Env
	one   [1]fhirpath.Value // scratch for a one-item input collection
	cells []fhirpath.Collection
	rows  []row      // reusable memory for row lists; see rowList
	pre   *prefilter // built on first use by plan
	// keepField selects the top-level members to decode (see projection);
	// nil decodes them all.
	keepField func(name string) bool
	planned   bool
}

// plan analyses the view for skip and decode, once per evaluator.
func (ev *evaluator) plan() {
	if ev.planned {
		return
	}
	ev.planned = true
	ev.pre = newPrefilter(ev.v)
	if p := newProjection(ev.v); p != nil {
		ev.keepField = p.keep
	}
}

// decode decodes the raw resource for the view, skipping the top-level
// members it cannot read. Strings in the result share memory with raw.
func (ev *evaluator) decode(d *fhirpath.Decoder, raw []byte) (*fhirpath.Node, error) {
	ev.plan()
	if ev.keepField == nil {
		return d.DecodeBorrowed(raw)
	}
	return d.DecodeBorrowedFields(raw, ev.keepField)
}

// rowList returns an empty list of rows with room for n, from the
// evaluator's reusable memory: like rows from newRow it stays valid until
// the next resource. Appending past n moves the list to fresh memory, so
// lists never overlap.
func (ev *evaluator) rowList(n int) []row {
	if len(ev.rows)+n > cap(ev.rows) {
		ev.rows = make([]row, 0, max(2*cap(ev.rows), n, 64))
	}
	k := len(ev.rows)
	ev.rows = ev.rows[:k+n]
	return ev.rows[k : k : k+n]
}

// skip reports whether the raw resource certainly has no rows, so that
// it need not be decoded (see prefilter). d is used only to validate raw.
func (ev *evaluator) skip(d *fhirpath.Decoder, raw []byte) bool {
	ev.plan()
	return ev.pre.rejects(d, raw)
}

// newRow returns an empty row from the evaluator's reusable cells; rows
// stay valid until the next resource.
func (ev *evaluator) newRow() row {
	w := len(ev.v.columns)
	if len(ev.cells)+w > cap(ev.cells) {
		ev.cells = make([]fhirpath.Collection, 0, max(64*w, 256))
	}
	n := len(ev.cells)
	ev.cells = ev.cells[:n+w]
	r := ev.cells[n : n+w : n+w]
	clear(r)
	return r
}

// maxRepeatDepth bounds repeat recursion over cyclic or hostile data.
const maxRepeatDepth = 100

// rowsWith evaluates the view over res with a reusable evaluator and
// returns its rows. A resource of another type, or one the where clause
// rejects, has no rows.
func (v *View) rowsWith(ev *evaluator, res *fhirpath.Node) ([]row, error) {
	if res.Kind != fhirpath.KindObject {
		return nil, fmt.Errorf("flatten: view %q: resource is not a JSON object", v.name)
	}
	if rt := res.Get("resourceType"); rt == nil || rt.Str != v.def.Resource {
		return nil, nil
	}
	ev.env.Resource = res
	ev.env.Reset()
	ev.cells = ev.cells[:0]
	ev.rows = ev.rows[:0]
	input := fhirpath.Value{N: res}
	ok, err := ev.keep(input)
	if err != nil || !ok {
		return nil, err
	}
	return ev.node(v.root, input, 0)
}

// keep applies the view-level where clauses.
func (ev *evaluator) keep(input fhirpath.Value) (bool, error) {
	for _, w := range ev.v.where {
		c, err := ev.eval(w, input, 0)
		if err != nil {
			return false, ev.v.errorAt(w.ptr, "where %q: %w", w.src, err)
		}
		b, ok, err := fhirpath.AsBool(c)
		if err != nil {
			return false, ev.v.errorAt(w.ptr, "where %q: %w", w.src, err)
		}
		if !ok || !b {
			return false, nil
		}
	}
	return true, nil
}

// eval evaluates e on focus; a focus without a node is the empty
// collection.
func (ev *evaluator) eval(e compiledExpr, focus fhirpath.Value, rowIndex int) (fhirpath.Collection, error) {
	ev.env.RowIndex = rowIndex
	if focus.N == nil {
		return fhirpath.Eval(e.expr, &ev.env, nil)
	}
	ev.one[0] = focus
	return fhirpath.Eval(e.expr, &ev.env, ev.one[:])
}

// nullRow is the row forEachOrNull produces for an empty collection: its
// own columns are evaluated on an empty focus with %rowIndex 0 (so they
// are null unless they do not depend on the focus), and the columns of
// nested selects are null.
func (ev *evaluator) nullRow(n *selectNode) ([]row, error) {
	r := ev.newRow()
	if err := ev.columns(n, fhirpath.Value{}, 0, r); err != nil {
		return nil, err
	}
	return []row{r}, nil
}

// node produces the rows of n for one input item.
func (ev *evaluator) node(n *selectNode, input fhirpath.Value, rowIndex int) ([]row, error) {
	if n.mode == iterNone {
		return ev.focus(n, input, rowIndex)
	}
	items, err := ev.iterate(n, input, rowIndex)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 && n.mode == iterForEachOrNull {
		return ev.nullRow(n)
	}
	out := ev.rowList(len(items))
	for i, it := range items {
		rs, err := ev.focus(n, it, i)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// iterate returns the items a forEach, forEachOrNull or repeat visits.
func (ev *evaluator) iterate(n *selectNode, input fhirpath.Value, rowIndex int) (fhirpath.Collection, error) {
	if n.mode != iterRepeat {
		items, err := ev.eval(n.iter, input, rowIndex)
		if err != nil {
			return nil, ev.v.errorAt(n.iter.ptr, "forEach %q: %w", n.iter.src, err)
		}
		return ev.own(items), nil
	}
	var out fhirpath.Collection
	var walk func(v fhirpath.Value, depth int) error
	walk = func(v fhirpath.Value, depth int) error {
		if depth > maxRepeatDepth {
			return ev.v.errorf("repeat: deeper than %d levels", maxRepeatDepth)
		}
		for _, p := range n.repeat {
			items, err := ev.eval(p, v, rowIndex)
			if err != nil {
				return ev.v.errorAt(p.ptr, "repeat %q: %w", p.src, err)
			}
			items = ev.own(items)
			for _, it := range items {
				out = append(out, it)
				if err := walk(it, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk(input, 0)
}

// focus produces the rows of n for one focus item: its own columns,
// crossed with the rows of each nested select, crossed with the rows of
// its unionAll branches.
func (ev *evaluator) focus(n *selectNode, item fhirpath.Value, rowIndex int) ([]row, error) {
	base := ev.newRow()
	if err := ev.columns(n, item, rowIndex, base); err != nil {
		return nil, err
	}
	acc := append(ev.rowList(1), base)
	for _, ch := range n.children {
		rs, err := ev.node(ch, item, rowIndex)
		if err != nil {
			return nil, err
		}
		acc = ev.cross(acc, rs, ch)
	}
	if len(n.union) > 0 {
		var all []row
		for _, b := range n.union {
			rs, err := ev.node(b, item, rowIndex)
			if err != nil {
				return nil, err
			}
			all = append(all, rs...)
		}
		acc = ev.cross(acc, all, n.union[0])
	}
	return acc, nil
}

// cross combines every row of acc with every row of rs, copying the
// columns that the select n (and its union siblings) fill.
func (ev *evaluator) cross(acc, rs []row, n *selectNode) []row {
	if len(rs) == 1 {
		for _, a := range acc {
			copy(a[n.offset:n.offset+n.width], rs[0][n.offset:n.offset+n.width])
		}
		return acc
	}
	out := ev.rowList(len(acc) * len(rs))
	for _, a := range acc {
		for _, r := range rs {
			x := ev.newRow()
			copy(x, a)
			copy(x[n.offset:n.offset+n.width], r[n.offset:n.offset+n.width])
			out = append(out, x)
		}
	}
	return out
}

// columns evaluates the own columns of n into r.
func (ev *evaluator) columns(n *selectNode, item fhirpath.Value, rowIndex int, r row) error {
	for _, col := range n.cols {
		c, err := ev.eval(col.expr, item, rowIndex)
		if err != nil {
			return ev.v.errorAt(col.expr.ptr, "column %q: %w", col.name, err)
		}
		if len(c) > 1 && !col.collection {
			return ev.v.errorAt(col.ptr, "column %q: path %q returned %d values; declare the column with collection: true",
				col.name, col.expr.src, len(c))
		}
		r[col.index] = ev.own(c)
	}
	return nil
}

// own returns c, copied if it shares memory with the evaluator's scratch
// input (which the next evaluation overwrites). Other results are fresh or
// immutable (literals, constants), so they can be kept as they are.
func (ev *evaluator) own(c fhirpath.Collection) fhirpath.Collection {
	if len(c) == 0 {
		return nil
	}
	if &c[0] == &ev.one[0] {
		return append(fhirpath.Collection(nil), c...)
	}
	return c
}
