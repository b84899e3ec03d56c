package flatten

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
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

// compiledExpr is a parsed expression with its source text and the JSON
// pointer of that text in the ViewDefinition.
type compiledExpr struct {
	src  string
	ptr  string
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
	ptr        string // JSON pointer of the column in the ViewDefinition
}

var identRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// builtinVars are the %names every expression may use.
var builtinVars = map[string]bool{"rowIndex": true, "resource": true, "rootResource": true,
	"context": true, "ucum": true, "sct": true, "loinc": true}

// Compile validates vd and compiles its expressions, each FHIRPath
// expression parsed once. Every error is a *ViewError whose Pointer is the
// part of vd at fault, such as /select/0/column/2/path.
func Compile(vd *ViewDefinition) (*View, error) {
	v := &View{def: vd, name: vd.Name}
	if err := v.validateHeader(); err != nil {
		return nil, err
	}
	consts, err := v.compileConstants()
	if err != nil {
		return nil, err
	}
	v.constants = consts
	c := &compiler{view: v, names: map[string]string{}}
	v.root, err = c.compileSelects(vd.Select, "/select", 0)
	if err != nil {
		return nil, err
	}
	for i, w := range vd.Where {
		e, err := c.where(w, pointer("/where", i, "path"))
		if err != nil {
			return nil, err
		}
		v.where = append(v.where, e)
	}
	v.schema = v.buildSchema()
	if err := v.checkRawNames(); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *View) validateHeader() error {
	vd := v.def
	switch {
	case vd.Resource == "":
		return v.errorAt("/resource", "resource is required")
	case !fhir.IsResourceType(vd.Resource):
		return v.errorAt("/resource", "unknown resource type %q", vd.Resource)
	case vd.Name != "" && !identRE.MatchString(vd.Name):
		return v.errorAt("/name", "name %q is not a valid SQL identifier", vd.Name)
	case len(vd.Select) == 0:
		return v.errorAt("/select", "select is required")
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
	view *View
	// names maps the column names seen so far to their pointers.
	names map[string]string
}

// expr parses the expression src found at ptr and checks its functions
// and %constants; what, when set, prefixes the reason of an error (such
// as `column "id"`).
func (c *compiler) expr(src, ptr, what string) (compiledExpr, error) {
	fail := func(format string, args ...any) (compiledExpr, error) {
		if what != "" {
			format, args = "%s: "+format, append([]any{what}, args...)
		}
		return compiledExpr{}, c.view.errorAt(ptr, format, args...)
	}
	if strings.TrimSpace(src) == "" {
		return fail("path is required")
	}
	e, err := fhirpath.Parse(src)
	if err != nil {
		return fail("%w", err)
	}
	if err := fhirpath.CheckFunctions(e); err != nil {
		return fail("%w", err)
	}
	var undefined string
	fhirpath.Walk(e, func(x fhirpath.Expr) {
		if ext, ok := x.(*fhirpath.External); ok && undefined == "" &&
			!builtinVars[ext.Name] && c.view.constants[ext.Name] == nil {
			undefined = ext.Name
		}
	})
	if undefined != "" {
		return fail("undefined constant %%%s", undefined)
	}
	return compiledExpr{src: src, ptr: ptr, expr: e}, nil
}

// where compiles a view-level where clause, whose path must be able to
// return a boolean.
func (c *compiler) where(w Where, ptr string) (compiledExpr, error) {
	e, err := c.expr(w.Path, ptr, "")
	if err != nil {
		return e, err
	}
	if neverBoolean(e.expr) {
		return e, c.view.errorAt(ptr, "where path %q does not return a boolean", w.Path)
	}
	return e, nil
}

// compileSelects compiles a list of sibling selects, found at ptr, into
// one node whose children they are; offset is the index of its first
// column.
func (c *compiler) compileSelects(sels []Select, ptr string, offset int) (*selectNode, error) {
	n := &selectNode{offset: offset}
	for i := range sels {
		child, err := c.compileSelect(&sels[i], pointer(ptr, i), offset+n.width)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, child)
		n.width += child.width
	}
	return n, nil
}

func (c *compiler) compileSelect(s *Select, ptr string, offset int) (*selectNode, error) {
	n := &selectNode{offset: offset}
	if err := c.compileIteration(n, s, ptr); err != nil {
		return nil, err
	}
	for i := range s.Column {
		col, err := c.compileColumn(&s.Column[i], pointer(ptr, "column", i), offset+len(n.cols))
		if err != nil {
			return nil, err
		}
		n.cols = append(n.cols, col)
	}
	n.width = len(n.cols)
	for i := range s.Select {
		child, err := c.compileSelect(&s.Select[i], pointer(ptr, "select", i), offset+n.width)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, child)
		n.width += child.width
	}
	if len(s.UnionAll) > 0 {
		w, err := c.compileUnion(n, s.UnionAll, pointer(ptr, "unionAll"), offset+n.width)
		if err != nil {
			return nil, err
		}
		n.width += w
	}
	return n, nil
}

// compileIteration compiles the forEach, forEachOrNull or repeat of the
// select s at ptr; a select may have only one of them.
func (c *compiler) compileIteration(n *selectNode, s *Select, ptr string) error {
	var set []string
	var err error
	if s.ForEach != "" {
		set = append(set, "forEach")
		n.mode = iterForEach
		n.iter, err = c.expr(s.ForEach, pointer(ptr, "forEach"), "")
	}
	if s.ForEachOrNull != "" && err == nil {
		set = append(set, "forEachOrNull")
		n.mode = iterForEachOrNull
		n.iter, err = c.expr(s.ForEachOrNull, pointer(ptr, "forEachOrNull"), "")
	}
	if len(s.Repeat) > 0 && err == nil {
		set = append(set, "repeat")
		n.mode = iterRepeat
		for i, p := range s.Repeat {
			e, perr := c.expr(p, pointer(ptr, "repeat", i), "")
			if perr != nil {
				return perr
			}
			n.repeat = append(n.repeat, e)
		}
	}
	if err == nil && len(set) > 1 {
		err = c.view.errorAt(pointer(ptr, set[1]),
			"a select may use only one of forEach, forEachOrNull and repeat, but this one also has %s", set[0])
	}
	return err
}

// compileColumn compiles the column col found at ptr.
func (c *compiler) compileColumn(col *Column, ptr string, index int) (*column, error) {
	v := c.view
	if !identRE.MatchString(col.Name) {
		return nil, v.errorAt(pointer(ptr, "name"), "column %q: name is not a valid identifier", col.Name)
	}
	if first, dup := c.names[col.Name]; dup {
		return nil, v.errorAt(pointer(ptr, "name"), "column %q: duplicate column name (first defined at %s)", col.Name, first)
	}
	c.names[col.Name] = ptr
	e, err := c.expr(col.Path, pointer(ptr, "path"), fmt.Sprintf("column %q", col.Name))
	if err != nil {
		return nil, err
	}
	if err := checkColumnType(col.Type); err != nil {
		return nil, v.errorAt(pointer(ptr, "type"), "column %q: %w", col.Name, err)
	}
	kind, err := columnKind(col.Type)
	if err != nil {
		return nil, v.errorAt(pointer(ptr, "type"), "column %q: %w", col.Name, err)
	}
	return &column{name: col.Name, expr: e, collection: col.Collection,
		fhirType: col.Type, kind: kind, index: index, ptr: ptr}, nil
}

// compileUnion compiles the unionAll branches at ptr, which must produce
// the same column names in the same order. Each branch's names must be
// new to the rest of the view (as the specification's ValidateColumns
// says); every branch writes to the same output columns, so the names are
// registered once.
func (c *compiler) compileUnion(n *selectNode, branches []Select, ptr string, offset int) (int, error) {
	var first []string
	var after map[string]string
	width := 0
	saved := c.names
	for i := range branches {
		c.names = maps.Clone(saved)
		b, err := c.compileSelect(&branches[i], pointer(ptr, i), offset)
		if err != nil {
			return 0, err
		}
		names := columnNames(b)
		if i == 0 {
			first, width, after = names, b.width, c.names
		} else if !slices.Equal(names, first) {
			return 0, c.view.errorAt(pointer(ptr, i),
				"unionAll branch %d has columns %v, branch 0 has %v; every branch must have the same columns in the same order", i, names, first)
		}
		n.union = append(n.union, b)
	}
	c.names = after
	return width, nil
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

// complexTypes are the FHIR R4 and R5 complex data types a column may
// declare; their values are written as JSON.
var complexTypes = map[string]bool{
	"Address": true, "Age": true, "Annotation": true, "Attachment": true, "Availability": true,
	"BackboneElement": true, "BackboneType": true, "CodeableConcept": true, "CodeableReference": true,
	"Coding": true, "ContactDetail": true, "ContactPoint": true, "Contributor": true, "Count": true,
	"DataRequirement": true, "DataType": true, "Distance": true, "Dosage": true, "Duration": true,
	"Element": true, "ElementDefinition": true, "Expression": true, "ExtendedContactDetail": true,
	"Extension": true, "HumanName": true, "Identifier": true, "MarketingStatus": true, "Meta": true,
	"MonetaryComponent": true, "Money": true, "MoneyQuantity": true, "Narrative": true,
	"ParameterDefinition": true, "Period": true, "Population": true, "ProdCharacteristic": true,
	"ProductShelfLife": true, "Quantity": true, "Range": true, "Ratio": true, "RatioRange": true,
	"Reference": true, "RelatedArtifact": true, "SampledData": true, "Signature": true,
	"SimpleQuantity": true, "SubstanceAmount": true, "Timing": true, "TriggerDefinition": true,
	"UsageContext": true, "VirtualServiceDetail": true,
}

// checkColumnType rejects a column type that starts with an uppercase
// letter but is neither a FHIR complex data type nor a resource type.
// Primitive types are checked by columnKind.
func checkColumnType(t string) error {
	if t == "" || t[0] < 'A' || t[0] > 'Z' || complexTypes[t] || fhir.IsResourceType(t) {
		return nil
	}
	return fmt.Errorf("unknown type %q: not a FHIR primitive or complex data type", t)
}

// neverBoolean reports whether e can be seen without data never to
// return a boolean: a string, number or date literal, arithmetic, string
// concatenation, or a function that returns no booleans. Anything else
// (such as a member path) is checked when the view runs.
func neverBoolean(e fhirpath.Expr) bool {
	switch x := e.(type) {
	case *fhirpath.Literal:
		return x.Kind != fhirpath.LitBool && x.Kind != fhirpath.LitEmpty
	case *fhirpath.Unary:
		return true
	case *fhirpath.Binary:
		switch x.Op {
		case "+", "-", "*", "/", "div", "mod", "&":
			return true
		}
	case *fhirpath.Call:
		return nonBooleanFuncs[x.Name]
	}
	return false
}

// nonBooleanFuncs are the functions that never return a boolean.
var nonBooleanFuncs = map[string]bool{
	"count": true, "join": true, "getResourceKey": true, "getReferenceKey": true,
	"extension": true, "substring": true, "lower": true, "upper": true, "trim": true,
	"length": true, "toString": true, "lowBoundary": true, "highBoundary": true,
}
