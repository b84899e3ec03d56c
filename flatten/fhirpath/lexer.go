package fhirpath

import (
	"fmt"
	"strings"
)

// tokenKind classifies a lexer token.
type tokenKind uint8

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokDate // @2019-01-01, @2019-01-01T10:00, @T10:00
	tokExternal
	tokSpecial // $this, $index, $total
	tokOp      // punctuation and symbolic operators
)

// token is one lexical token with its byte offset in the source.
type token struct {
	kind   tokenKind
	text   string // identifier name, unescaped string, number text, operator
	pos    int
	quoted bool // a `delimited` identifier
}

// SyntaxError is a parse error with the byte offset where it was found.
type SyntaxError struct {
	Expr string
	Pos  int
	Msg  string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("fhirpath: %s at offset %d in %q", e.Msg, e.Pos, e.Expr)
}

// lex splits src into tokens.
func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; ; {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i+1 < len(src) && src[i] == '/' && (src[i+1] == '/' || src[i+1] == '*') {
			j, err := skipComment(src, i)
			if err != nil {
				return nil, err
			}
			i = j
			continue
		}
		if i >= len(src) {
			return append(toks, token{kind: tokEOF, pos: i}), nil
		}
		t, n, err := lexOne(src, i)
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i += n
	}
}

func skipComment(src string, i int) (int, error) {
	if src[i+1] == '/' {
		if j := strings.IndexByte(src[i:], '\n'); j >= 0 {
			return i + j + 1, nil
		}
		return len(src), nil
	}
	if j := strings.Index(src[i+2:], "*/"); j >= 0 {
		return i + 2 + j + 2, nil
	}
	return 0, &SyntaxError{Expr: src, Pos: i, Msg: "unterminated comment"}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }

// lexOne reads the token at src[i:], returning it and its length.
func lexOne(src string, i int) (token, int, error) {
	c := src[i]
	switch {
	case isIdentStart(c):
		j := i + 1
		for j < len(src) && isIdentPart(src[j]) {
			j++
		}
		return token{kind: tokIdent, text: src[i:j], pos: i}, j - i, nil
	case isDigit(c):
		return lexNumber(src, i)
	case c == '\'' || c == '`':
		s, n, err := unquote(src, i)
		kind := tokString
		if c == '`' {
			kind = tokIdent
		}
		return token{kind: kind, text: s, pos: i, quoted: c == '`'}, n, err
	case c == '%':
		return lexExternal(src, i)
	case c == '$':
		j := i + 1
		for j < len(src) && isIdentPart(src[j]) {
			j++
		}
		name := src[i:j]
		if name != "$this" && name != "$index" && name != "$total" {
			return token{}, 0, &SyntaxError{Expr: src, Pos: i, Msg: fmt.Sprintf("unknown special variable %q", name)}
		}
		return token{kind: tokSpecial, text: name, pos: i}, j - i, nil
	case c == '@':
		return lexDate(src, i)
	}
	for _, op := range []string{"<=", ">=", "!=", "!~"} {
		if strings.HasPrefix(src[i:], op) {
			return token{kind: tokOp, text: op, pos: i}, 2, nil
		}
	}
	if strings.IndexByte(".,()[]{}+-*/&|=~<>", c) >= 0 {
		return token{kind: tokOp, text: src[i : i+1], pos: i}, 1, nil
	}
	return token{}, 0, &SyntaxError{Expr: src, Pos: i, Msg: fmt.Sprintf("unexpected character %q", c)}
}

func lexNumber(src string, i int) (token, int, error) {
	j := i
	for j < len(src) && isDigit(src[j]) {
		j++
	}
	if j+1 < len(src) && src[j] == '.' && isDigit(src[j+1]) {
		j++
		for j < len(src) && isDigit(src[j]) {
			j++
		}
	}
	return token{kind: tokNumber, text: src[i:j], pos: i}, j - i, nil
}

func lexExternal(src string, i int) (token, int, error) {
	if i+1 < len(src) && (src[i+1] == '`' || src[i+1] == '\'') {
		s, n, err := unquote(src, i+1)
		return token{kind: tokExternal, text: s, pos: i}, n + 1, err
	}
	j := i + 1
	for j < len(src) && isIdentPart(src[j]) {
		j++
	}
	if j == i+1 || !isIdentStart(src[i+1]) {
		return token{}, 0, &SyntaxError{Expr: src, Pos: i, Msg: "expected a name after '%'"}
	}
	return token{kind: tokExternal, text: src[i+1 : j], pos: i}, j - i, nil
}

// lexDate reads a date, dateTime or time literal after '@'.
func lexDate(src string, i int) (token, int, error) {
	j := i + 1
	for j < len(src) {
		c := src[j]
		if isDigit(c) || c == '-' || c == ':' || c == 'T' || c == 'Z' ||
			(c == '.' && j+1 < len(src) && isDigit(src[j+1])) ||
			(c == '+' && j > i+1) {
			j++
			continue
		}
		break
	}
	text := src[i+1 : j]
	if text == "" || !validDateLiteral(text) {
		return token{}, 0, &SyntaxError{Expr: src, Pos: i, Msg: "invalid date/time literal"}
	}
	return token{kind: tokDate, text: text, pos: i}, j - i, nil
}

// validDateLiteral checks the rough shape of a date/time literal body.
func validDateLiteral(s string) bool {
	if s[0] == 'T' {
		return len(s) >= 3 && isDigit(s[1]) && isDigit(s[2])
	}
	if len(s) < 4 {
		return false
	}
	for k := 0; k < 4; k++ {
		if !isDigit(s[k]) {
			return false
		}
	}
	return true
}

// unquote reads a '...' or `...` literal starting at src[i] and returns the
// unescaped text and the number of bytes consumed.
func unquote(src string, i int) (string, int, error) {
	q := src[i]
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		c := src[j]
		if c == q {
			return b.String(), j + 1 - i, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		j++
		if j >= len(src) {
			break
		}
		switch e := src[j]; e {
		case '\'', '"', '`', '\\', '/':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			r, n, ok := decodeU(src[j+1:])
			if !ok {
				return "", 0, &SyntaxError{Expr: src, Pos: j, Msg: "invalid \\u escape"}
			}
			b.WriteRune(r)
			j += n
		default:
			return "", 0, &SyntaxError{Expr: src, Pos: j, Msg: fmt.Sprintf("invalid escape %q", e)}
		}
	}
	return "", 0, &SyntaxError{Expr: src, Pos: i, Msg: "unterminated quoted text"}
}
