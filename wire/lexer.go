package wire

import "strings"

// tokenKind classifies a lexical token of Postgres SQL. The lexer knows only
// as much SQL as the server needs: where statements end, where parameter
// placeholders are, and the leading keywords of a statement.
type tokenKind uint8

const (
	tokSpace       tokenKind = iota // whitespace
	tokComment                      // -- line or /* nested block */ comment
	tokString                       // '...', E'...' (prefixes B, X, N, U& lex as words)
	tokDollar                       // $tag$ ... $tag$
	tokQuotedIdent                  // "..."
	tokWord                         // keyword or bare identifier
	tokNumber                       // numeric literal
	tokParam                        // $n placeholder
	tokSemicolon                    // ;
	tokOp                           // any other punctuation; "::" is one token
)

// token is a half-open byte range [start, end) of the lexed text.
type token struct {
	kind       tokenKind
	start, end int
}

// lexSQL splits sql into tokens covering every byte. It never fails: an
// unterminated string, identifier or comment runs to the end of the text,
// and the engine reports the syntax error. Strings follow
// standard_conforming_strings=on: backslash escapes only in E'...'.
func lexSQL(sql string) []token {
	var toks []token
	for i := 0; i < len(sql); {
		kind, end := lexOne(sql, i)
		toks = append(toks, token{kind: kind, start: i, end: end})
		i = end
	}
	return toks
}

// lexOne returns the kind and end of the token starting at i.
func lexOne(s string, i int) (tokenKind, int) {
	c := s[i]
	switch {
	case isSpace(c):
		j := i + 1
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		return tokSpace, j
	case c == '-' && i+1 < len(s) && s[i+1] == '-':
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			return tokComment, len(s)
		}
		return tokComment, i + j + 1
	case c == '/' && i+1 < len(s) && s[i+1] == '*':
		return tokComment, blockCommentEnd(s, i)
	case c == '\'':
		return tokString, quotedEnd(s, i, '\'', false)
	case (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'':
		return tokString, quotedEnd(s, i+1, '\'', true)
	case c == '"':
		return tokQuotedIdent, quotedEnd(s, i, '"', false)
	case c == '$':
		return lexDollar(s, i)
	case c == ';':
		return tokSemicolon, i + 1
	case isDigit(c) || (c == '.' && i+1 < len(s) && isDigit(s[i+1])):
		return tokNumber, numberEnd(s, i)
	case isIdentStart(c):
		j := i + 1
		for j < len(s) && isIdentChar(s[j]) {
			j++
		}
		return tokWord, j
	case c == ':' && i+1 < len(s) && s[i+1] == ':':
		return tokOp, i + 2
	}
	return tokOp, i + 1
}

// blockCommentEnd returns the end of the nested /* */ comment at i.
func blockCommentEnd(s string, i int) int {
	depth := 0
	for j := i; j+1 < len(s); {
		switch {
		case s[j] == '/' && s[j+1] == '*':
			depth++
			j += 2
		case s[j] == '*' && s[j+1] == '/':
			depth--
			j += 2
			if depth == 0 {
				return j
			}
		default:
			j++
		}
	}
	return len(s)
}

// quotedEnd returns the end of the quoted token whose opening quote is at
// i. A doubled quote is an escaped quote; with backslash, \x escapes x.
func quotedEnd(s string, i int, quote byte, backslash bool) int {
	for j := i + 1; j < len(s); j++ {
		switch {
		case backslash && s[j] == '\\':
			j++
		case s[j] == quote:
			if j+1 < len(s) && s[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

// lexDollar lexes a $n parameter, a $tag$ dollar-quoted string, or a lone $.
func lexDollar(s string, i int) (tokenKind, int) {
	j := i + 1
	if j < len(s) && isDigit(s[j]) {
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		return tokParam, j
	}
	if j < len(s) && isIdentStart(s[j]) {
		for j < len(s) && isIdentChar(s[j]) && s[j] != '$' {
			j++
		}
	}
	if j >= len(s) || s[j] != '$' {
		return tokOp, i + 1
	}
	tag := s[i : j+1]
	k := strings.Index(s[j+1:], tag)
	if k < 0 {
		return tokDollar, len(s)
	}
	return tokDollar, j + 1 + k + len(tag)
}

// numberEnd returns the end of the numeric literal at i (digits, '.',
// exponent with sign, '_' separators and 0x/0o/0b letters).
func numberEnd(s string, i int) int {
	j := i
	for j < len(s) {
		c := s[j]
		switch {
		case isDigit(c) || c == '.' || c == '_':
		case (c == 'e' || c == 'E') && j+1 < len(s) && (s[j+1] == '+' || s[j+1] == '-'):
			j++
		case isLetter(c):
		default:
			return j
		}
		j++
	}
	return j
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// isIdentStart reports whether c may start a bare identifier; bytes of
// multi-byte UTF-8 characters count as letters, as in Postgres.
func isIdentStart(c byte) bool { return isLetter(c) || c == '_' || c >= 0x80 }

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

// sqlSpaces are the bytes the lexer treats as whitespace.
const sqlSpaces = " \t\n\r\f\v"

// splitStatements splits a simple Query string into statements at
// top-level semicolons. Statements holding only whitespace and comments are
// dropped, so an empty result means an empty query.
func splitStatements(sql string) []string {
	var stmts []string
	start, hasCode := 0, false
	flush := func(end int) {
		if hasCode {
			stmts = append(stmts, strings.Trim(sql[start:end], sqlSpaces))
		}
	}
	for _, t := range lexSQL(sql) {
		switch t.kind {
		case tokSemicolon:
			flush(t.start)
			start, hasCode = t.end, false
		case tokSpace, tokComment:
		default:
			hasCode = true
		}
	}
	flush(len(sql))
	return stmts
}

// significant returns the tokens of sql that are neither whitespace nor
// comments.
func significant(sql string) []token {
	all := lexSQL(sql)
	toks := all[:0]
	for _, t := range all {
		if t.kind != tokSpace && t.kind != tokComment {
			toks = append(toks, t)
		}
	}
	return toks
}
