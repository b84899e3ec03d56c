package fhirpath

import (
	"fmt"
	"strings"
)

// MaxExprLen is the longest expression Parse accepts.
const MaxExprLen = 64 << 10

// maxNesting bounds the nesting of parentheses, brackets, call arguments
// and unary operators. It is generous because String adds parentheses
// around every binary operator, and a printed expression must parse again.
const maxNesting = 20000

// Parse parses a FHIRPath expression. Errors are *SyntaxError values with
// the byte offset of the problem.
func Parse(src string) (Expr, error) {
	if len(src) > MaxExprLen {
		return nil, &SyntaxError{Expr: src[:64] + "...", Pos: MaxExprLen, Msg: "expression too long"}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	e, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errorf(t, "unexpected %s", describe(t))
	}
	return e, nil
}

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) errorf(t token, format string, args ...any) error {
	return &SyntaxError{Expr: p.src, Pos: t.pos, Msg: fmt.Sprintf(format, args...)}
}

func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokString:
		return "string " + quote(t.text, '\'')
	}
	return fmt.Sprintf("%q", t.text)
}

// binary operator precedence levels, lowest first.
var levels = [][]string{
	{"implies"},
	{"or", "xor"},
	{"and"},
	{"in", "contains"},
	{"=", "~", "!=", "!~"},
	{"<", ">", "<=", ">="},
	{"|"},
	{"is", "as"},
	{"+", "-", "&"},
	{"*", "/", "div", "mod"},
}

// opAt reports whether t is one of the operators of level l.
func opAt(t token, l int) bool {
	if t.kind != tokOp && (t.kind != tokIdent || t.quoted) {
		return false
	}
	for _, op := range levels[l] {
		if t.text == op {
			return true
		}
	}
	return false
}

func (p *parser) expr(level int) (Expr, error) {
	if level == len(levels) {
		return p.unary()
	}
	l, err := p.expr(level + 1)
	if err != nil {
		return nil, err
	}
	for opAt(p.peek(), level) {
		op := p.next()
		if op.text == "is" || op.text == "as" {
			name, err := p.typeName()
			if err != nil {
				return nil, err
			}
			l = &TypeOp{Op: op.text, X: l, Type: name, Offset: op.pos}
			continue
		}
		r, err := p.expr(level + 1)
		if err != nil {
			return nil, err
		}
		l = &Binary{Op: op.text, L: l, R: r, Offset: op.pos}
	}
	return l, nil
}

// typeName reads a possibly qualified type specifier.
func (p *parser) typeName() (string, error) {
	t := p.next()
	if t.kind != tokIdent {
		return "", p.errorf(t, "expected a type name, found %s", describe(t))
	}
	parts := []string{t.text}
	for p.peek().kind == tokOp && p.peek().text == "." && p.toks[p.i+1].kind == tokIdent {
		p.next()
		parts = append(parts, p.next().text)
	}
	for _, s := range parts {
		if !isPlainIdent(s) {
			return "", p.errorf(t, "invalid type name %q", s)
		}
	}
	return strings.Join(parts, "."), nil
}

func (p *parser) unary() (Expr, error) {
	t := p.peek()
	if t.kind == tokOp && (t.text == "-" || t.text == "+") {
		p.next()
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxNesting {
			return nil, p.errorf(t, "expression nested too deeply")
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &Unary{Op: t.text, X: x, Offset: t.pos}, nil
	}
	return p.postfix()
}

func (p *parser) postfix() (Expr, error) {
	e, err := p.term()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokOp || (t.text != "." && t.text != "[") {
			return e, nil
		}
		p.next()
		if t.text == "[" {
			idx, err := p.nested()
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			e = &Index{Target: e, Index: idx, Offset: t.pos}
			continue
		}
		name := p.next()
		if name.kind != tokIdent {
			return nil, p.errorf(name, "expected a name after '.', found %s", describe(name))
		}
		if e, err = p.invocation(e, name); err != nil {
			return nil, err
		}
	}
}

// nested parses a full expression inside brackets or parentheses.
func (p *parser) nested() (Expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, p.errorf(p.peek(), "expression nested too deeply")
	}
	return p.expr(0)
}

func (p *parser) expect(op string) error {
	t := p.next()
	if t.kind != tokOp || t.text != op {
		return p.errorf(t, "expected %q, found %s", op, describe(t))
	}
	return nil
}

// invocation parses a member access or a function call on target.
func (p *parser) invocation(target Expr, name token) (Expr, error) {
	if t := p.peek(); t.kind == tokOp && t.text == "(" {
		p.next()
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		c := &Call{Target: target, Name: name.text, Args: args, Offset: name.pos}
		if spec, ok := funcs[c.Name]; ok {
			c.spec = &spec
		}
		return c, nil
	}
	if target == nil {
		return &Ident{Name: name.text, Offset: name.pos}, nil
	}
	return &Member{Target: target, Name: name.text, Offset: name.pos}, nil
}

func (p *parser) args() ([]Expr, error) {
	var args []Expr
	if t := p.peek(); t.kind == tokOp && t.text == ")" {
		p.next()
		return nil, nil
	}
	for {
		a, err := p.nested()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		t := p.next()
		if t.kind == tokOp && t.text == ")" {
			return args, nil
		}
		if t.kind != tokOp || t.text != "," {
			return nil, p.errorf(t, "expected ',' or ')', found %s", describe(t))
		}
	}
}

// reserved words that cannot start a term.
var reserved = map[string]bool{"and": true, "or": true, "xor": true, "implies": true, "div": true, "mod": true}

func (p *parser) term() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tokNumber:
		return newLiteral(LitNumber, t), nil
	case tokString:
		return newLiteral(LitString, t), nil
	case tokDate:
		return newLiteral(LitDate, t), nil
	case tokExternal:
		return &External{Name: t.text, Offset: t.pos}, nil
	case tokSpecial:
		return &Special{Name: t.text, Offset: t.pos}, nil
	case tokIdent:
		if !t.quoted {
			if t.text == "true" || t.text == "false" {
				return newLiteral(LitBool, t), nil
			}
			if reserved[t.text] {
				return nil, p.errorf(t, "unexpected %s", describe(t))
			}
		}
		return p.invocation(nil, t)
	case tokOp:
		return p.punctuation(t)
	}
	return nil, p.errorf(t, "unexpected %s", describe(t))
}

func (p *parser) punctuation(t token) (Expr, error) {
	switch t.text {
	case "(":
		e, err := p.nested()
		if err != nil {
			return nil, err
		}
		return e, p.expect(")")
	case "{":
		if err := p.expect("}"); err != nil {
			return nil, err
		}
		return &Literal{Kind: LitEmpty, Offset: t.pos}, nil
	}
	return nil, p.errorf(t, "unexpected %s", describe(t))
}

func newLiteral(kind LiteralKind, t token) *Literal {
	return &Literal{Kind: kind, Text: t.text, Offset: t.pos, value: literalValue(kind, t.text)}
}
