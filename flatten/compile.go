package flatten

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// View is a compiled ViewDefinition. It is safe for concurrent use.
type View struct {
	def       *ViewDefinition
	name      string
	root      *selectNode
	columns   []*column // in output order
	where     []compiledExpr
	constants map[string]fhirpath.Collection
	schema    *arrow.Schema
}

// compiledExpr is a parsed expression with its source text.
type compiledExpr struct {
	src  string
	expr fhirpath.Expr
}

// iterMode is how a select iterates over its input.
type iterMode uint8

const (
	iterNone iterMode = iota
	iterForEach
	iterForEachOrNull
	iterRepeat
)

// selectNode is a compiled select element.
type selectNode struct {
	mode     iterMode
	iter     compiledExpr   // forEach or forEachOrNull
	repeat   []compiledExpr // repeat paths
	cols     []*column
	children []*selectNode
	union    []*selectNode
	offset   int // index of this node's first output column
	width    int // number of output columns it produces
}

// column is a compiled column.
type column struct {
	name       string
	expr       compiledExpr
	collection bool
	fhirType   string
	kind       valueKind
	index      int
}

var identRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// builtinVars are the %names every expression may use.
var builtinVars = map[string]bool{"rowIndex": true, "resource": true, "rootResource": true,
	"context": true, "ucum": true, "sct": true, "loinc": true}

// Compile validates vd and compiles its expressions. Errors name the view
// and the column or path at fault.
func Compile(vd *ViewDefinition) (*View, error) {
	v := &View{def: vd, name: vd.Name}
	if err := v.validateHeader(); err != nil {
		return nil, err
	}
	consts, err := compileConstants(vd)
	if err != nil {
		return nil, v.errorf("%w", err)
	}
	v.constants = consts
	c := &compiler{view: v}
	v.root, err = c.compileSelects(vd.Select, 0)
	if err != nil {
		return nil, err
	}
	for _, w := range vd.Where {
		e, err := c.expr(w.Path)
		if err != nil {
			return nil, v.errorf("where %q: %w", w.Path, err)
		}
		v.where = append(v.where, e)
	}
	v.schema = v.buildSchema()
	return v, nil
}

func (v *View) errorf(format string, args ...any) error {
	return fmt.Errorf("flatten: view %q: %w", v.Name(), fmt.Errorf(format, args...))
}

func (v *View) validateHeader() error {
	vd := v.def
	switch {
	case vd.Resource == "":
		return v.errorf("resource is required")
	case !fhir.IsResourceType(vd.Resource):
		return v.errorf("unknown resource type %q", vd.Resource)
	case vd.Name != "" && !identRE.MatchString(vd.Name):
		return v.errorf("name %q is not a valid SQL identifier", vd.Name)
	case len(vd.Select) == 0:
		return v.errorf("select is required")
	}
	if v.name == "" {
		v.name = snakeCase(vd.Resource)
	}
	return nil
}

// snakeCase turns MedicationRequest into medication_request.
func snakeCase(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// compiler holds state while compiling the select tree.
type compiler struct {
	view  *View
	names map[string]bool
}

// expr parses one expression and checks its functions and variables.
func (c *compiler) expr(src string) (compiledExpr, error) {
	e, err := fhirpath.Parse(src)
	if err != nil {
		return compiledExpr{}, err
	}
	if err := fhirpath.CheckFunctions(e); err != nil {
		return compiledExpr{}, err
	}
	fhirpath.Walk(e, func(x fhirpath.Expr) {
		if ext, ok := x.(*fhirpath.External); ok && err == nil &&
			!builtinVars[ext.Name] && c.view.constants[ext.Name] == nil {
			err = fmt.Errorf("undefined constant %%%s", ext.Name)
		}
	})
	return compiledExpr{src: src, expr: e}, err
}

// compileSelects compiles a list of sibling selects into one node whose
// children they are; offset is the index of its first column.
func (c *compiler) compileSelects(sels []Select, offset int) (*selectNode, error) {
	n := &selectNode{offset: offset}
	for i := range sels {
		child, err := c.compileSelect(&sels[i], offset+n.width)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, child)
		n.width += child.width
	}
	return n, nil
}

func (c *compiler) compileSelect(s *Select, offset int) (*selectNode, error) {
	n := &selectNode{offset: offset}
	if err := c.compileIteration(n, s); err != nil {
		return nil, err
	}
	for i := range s.Column {
		col, err := c.compileColumn(&s.Column[i], offset+len(n.cols))
		if err != nil {
			return nil, err
		}
		n.cols = append(n.cols, col)
	}
	n.width = len(n.cols)
	for i := range s.Select {
		child, err := c.compileSelect(&s.Select[i], offset+n.width)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, child)
		n.width += child.width
	}
	if len(s.UnionAll) > 0 {
		w, err := c.compileUnion(n, s.UnionAll, offset+n.width)
		if err != nil {
			return nil, err
		}
		n.width += w
	}
	return n, nil
}

func (c *compiler) compileIteration(n *selectNode, s *Select) error {
	set := 0
	var err error
	if s.ForEach != "" {
		set++
		n.mode = iterForEach
		n.iter, err = c.iterExpr("forEach", s.ForEach)
	}
	if s.ForEachOrNull != "" && err == nil {
		set++
		n.mode = iterForEachOrNull
		n.iter, err = c.iterExpr("forEachOrNull", s.ForEachOrNull)
	}
	if len(s.Repeat) > 0 && err == nil {
		set++
		n.mode = iterRepeat
		for _, p := range s.Repeat {
			e, perr := c.iterExpr("repeat", p)
			if perr != nil {
				return perr
			}
			n.repeat = append(n.repeat, e)
		}
	}
	if err == nil && set > 1 {
		err = c.view.errorf("a select may use only one of forEach, forEachOrNull and repeat")
	}
	return err
}

func (c *compiler) iterExpr(kind, src string) (compiledExpr, error) {
	e, err := c.expr(src)
	if err != nil {
		return e, c.view.errorf("%s %q: %w", kind, src, err)
	}
	return e, nil
}

func (c *compiler) compileColumn(col *Column, index int) (*column, error) {
	v := c.view
	if !identRE.MatchString(col.Name) {
		return nil, v.errorf("column %q: name is not a valid identifier", col.Name)
	}
	if c.names == nil {
		c.names = map[string]bool{}
	}
	if c.names[col.Name] {
		return nil, v.errorf("column %q: duplicate column name", col.Name)
	}
	c.names[col.Name] = true
	if col.Path == "" {
		return nil, v.errorf("column %q: path is required", col.Name)
	}
	e, err := c.expr(col.Path)
	if err != nil {
		return nil, v.errorf("column %q path %q: %w", col.Name, col.Path, err)
	}
	kind, err := columnKind(col.Type)
	if err != nil {
		return nil, v.errorf("column %q: %w", col.Name, err)
	}
	return &column{name: col.Name, expr: e, collection: col.Collection,
		fhirType: col.Type, kind: kind, index: index}, nil
}

// compileUnion compiles unionAll branches, which must produce the same
// column names in the same order. Every branch writes to the same output
// columns, so the names are registered once.
func (c *compiler) compileUnion(n *selectNode, branches []Select, offset int) (int, error) {
	var first []string
	var after map[string]bool
	width := 0
	saved := c.names
	for i := range branches {
		c.names = cloneSet(saved)
		b, err := c.compileSelect(&branches[i], offset)
		if err != nil {
			return 0, err
		}
		names := columnNames(b)
		if i == 0 {
			first, width, after = names, b.width, c.names
		} else if strings.Join(names, ",") != strings.Join(first, ",") {
			return 0, c.view.errorf("unionAll branch %d has columns %v, branch 0 has %v", i, names, first)
		}
		n.union = append(n.union, b)
	}
	c.names = after
	return width, nil
}

func cloneSet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// columnNames lists the output columns of n in order.
func columnNames(n *selectNode) []string {
	var out []string
	for _, col := range n.allColumns() {
		out = append(out, col.name)
	}
	return out
}

// allColumns lists the columns n produces in output order; for a unionAll
// only the first branch is listed.
func (n *selectNode) allColumns() []*column {
	out := append([]*column(nil), n.cols...)
	for _, ch := range n.children {
		out = append(out, ch.allColumns()...)
	}
	if len(n.union) > 0 {
		out = append(out, n.union[0].allColumns()...)
	}
	return out
}
