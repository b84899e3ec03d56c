package fhirpath

import (
	"strings"
)

// Expr is a node of a parsed FHIRPath expression. String returns FHIRPath
// text that parses back to an equal tree.
type Expr interface {
	String() string
	// Pos is the byte offset of the node in the source.
	Pos() int
}

// LiteralKind is the type of a [Literal].
type LiteralKind uint8

// The literal kinds.
const (
	LitEmpty LiteralKind = iota // {}
	LitBool
	LitString
	LitNumber
	LitDate // date, dateTime or time, without the leading '@'
)

// Literal is a constant: {}, true, 'text', 12, 1.5 or @2019-01-01.
type Literal struct {
	Kind   LiteralKind
	Text   string
	Offset int
	value  Collection
}

// Ident is a member name at the start of a path, such as name in name.given.
type Ident struct {
	Name   string
	Offset int
}

// Member is a member access: Target.Name.
type Member struct {
	Target Expr
	Name   string
	Offset int
}

// Call is a function invocation. Target is nil for a call at the start of a
// path, which applies to $this.
type Call struct {
	Target Expr
	Name   string
	Args   []Expr
	Offset int
	spec   *funcSpec // resolved by the parser; nil for unknown functions
}

// Index is an indexer: Target[Index].
type Index struct {
	Target Expr
	Index  Expr
	Offset int
}

// Special is $this, $index or $total.
type Special struct {
	Name   string // including '$'
	Offset int
}

// External is a %name reference to a constant or %rowIndex.
type External struct {
	Name   string
	Offset int
}

// Unary is a prefix + or -.
type Unary struct {
	Op     string
	X      Expr
	Offset int
}

// Binary is an infix operator.
type Binary struct {
	Op     string
	L, R   Expr
	Offset int
}

// TypeOp is `X is Type` or `X as Type`.
type TypeOp struct {
	Op     string
	X      Expr
	Type   string // possibly qualified, like FHIR.Quantity
	Offset int
}

// Pos implements Expr.
func (e *Literal) Pos() int { return e.Offset }

// Pos implements Expr.
func (e *Ident) Pos() int { return e.Offset }

// Pos implements Expr.
func (e *Member) Pos() int { return e.Offset }

// Pos implements Expr.
func (e *Call) Pos() int { return e.Offset }

// Pos implements Expr.
func (e *Index) Pos() int { return e.Offset }

// Pos implements Expr.
func (e *Special) Pos() int { return e.Offset }

// Pos implements Expr.
func (e *External) Pos() int { return e.Offset }

// Pos implements Expr.
func (e *Unary) Pos() int { return e.Offset }

// Pos implements Expr.
func (e *Binary) Pos() int { return e.Offset }

// Pos implements Expr.
func (e *TypeOp) Pos() int { return e.Offset }

// String implements Expr.
func (e *Literal) String() string { return exprString(e) }

// String implements Expr.
func (e *Ident) String() string { return exprString(e) }

// String implements Expr.
func (e *Member) String() string { return exprString(e) }

// String implements Expr.
func (e *Call) String() string { return exprString(e) }

// String implements Expr.
func (e *Index) String() string { return exprString(e) }

// String implements Expr.
func (e *Special) String() string { return e.Name }

// String implements Expr.
func (e *External) String() string { return exprString(e) }

// String implements Expr.
func (e *Unary) String() string { return exprString(e) }

// String implements Expr.
func (e *Binary) String() string { return exprString(e) }

// String implements Expr.
func (e *TypeOp) String() string { return exprString(e) }

func exprString(e Expr) string {
	var b strings.Builder
	write(&b, e)
	return b.String()
}

// write prints e. Binary and type operators are always parenthesized so
// that printing never depends on precedence.
func write(b *strings.Builder, e Expr) {
	switch x := e.(type) {
	case *Literal:
		writeLiteral(b, x)
	case *Ident:
		b.WriteString(identString(x.Name))
	case *Member:
		writeOperand(b, x.Target)
		b.WriteByte('.')
		b.WriteString(identString(x.Name))
	case *Call:
		writeCall(b, x)
	case *Index:
		writeOperand(b, x.Target)
		b.WriteByte('[')
		write(b, x.Index)
		b.WriteByte(']')
	case *Special:
		b.WriteString(x.Name)
	case *External:
		b.WriteByte('%')
		if isPlainIdent(x.Name) {
			b.WriteString(x.Name)
		} else {
			b.WriteString(quote(x.Name, '`'))
		}
	case *Unary:
		b.WriteString(x.Op)
		write(b, x.X)
	case *Binary:
		b.WriteByte('(')
		write(b, x.L)
		b.WriteString(" " + x.Op + " ")
		write(b, x.R)
		b.WriteByte(')')
	case *TypeOp:
		b.WriteByte('(')
		write(b, x.X)
		b.WriteString(" " + x.Op + " " + x.Type + ")")
	}
}

func writeLiteral(b *strings.Builder, x *Literal) {
	switch x.Kind {
	case LitEmpty:
		b.WriteString("{}")
	case LitString:
		b.WriteString(quote(x.Text, '\''))
	case LitDate:
		b.WriteString("@" + x.Text)
	default:
		b.WriteString(x.Text)
	}
}

func writeCall(b *strings.Builder, x *Call) {
	if x.Target != nil {
		writeOperand(b, x.Target)
		b.WriteByte('.')
	}
	b.WriteString(identString(x.Name))
	b.WriteByte('(')
	for i, a := range x.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		write(b, a)
	}
	b.WriteByte(')')
}

// writeOperand prints e before a postfix operator, adding parentheses
// where the grammar needs them.
func writeOperand(b *strings.Builder, e Expr) {
	paren := false
	switch x := e.(type) {
	case *Unary:
		paren = true
	case *Literal:
		paren = x.Kind == LitNumber || x.Kind == LitDate
	}
	if paren {
		b.WriteByte('(')
	}
	write(b, e)
	if paren {
		b.WriteByte(')')
	}
}

// keywords cannot be plain identifiers.
var keywords = map[string]bool{
	"and": true, "or": true, "xor": true, "implies": true, "div": true, "mod": true,
	"in": true, "contains": true, "is": true, "as": true, "true": true, "false": true,
}

func isPlainIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentPart(s[i]) {
			return false
		}
	}
	return true
}

func identString(s string) string {
	if isPlainIdent(s) && !keywords[s] {
		return s
	}
	return quote(s, '`')
}

// quote writes s between q quotes, escaping q, backslashes and controls.
func quote(s string, q byte) string {
	var b strings.Builder
	b.WriteByte(q)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case q, '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\f':
			b.WriteString(`\f`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(q)
	return b.String()
}
