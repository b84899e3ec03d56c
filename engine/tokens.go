package engine

import (
	"strings"
)

// tokKind classifies a lexical token of SQL text.
type tokKind uint8

const (
	tokSpace  tokKind = iota // whitespace or a comment
	tokIdent                 // unquoted identifier or keyword
	tokQuoted                // "quoted identifier"
	tokString                // 'string', E'string', $tag$string$tag$
	tokNumber                // numeric literal
	tokPunct                 // operator or punctuation, one rune each
)

// token is a span of the SQL text.
type token struct {
	Kind       tokKind
	Start, End int // byte offsets
}

// tokenize splits sql into tokens. It never fails: an unterminated string
// or comment runs to the end of the text, and DuckDB's parser reports it.
func tokenize(sql string) []token {
	var toks []token
	for i := 0; i < len(sql); {
		kind, end := scanToken(sql, i)
		toks = append(toks, token{kind, i, end})
		i = end
	}
	return toks
}

func scanToken(s string, i int) (tokKind, int) {
	c := s[i]
	switch {
	case isSpace(c):
		j := i
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		return tokSpace, j
	case strings.HasPrefix(s[i:], "--"):
		if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
			return tokSpace, i + j + 1
		}
		return tokSpace, len(s)
	case strings.HasPrefix(s[i:], "/*"):
		return tokSpace, blockCommentEnd(s, i)
	case c == '\'':
		return tokString, quotedEnd(s, i+1, '\'', false)
	case (c == 'e' || c == 'E') && i+1 < len(s) && s[i+1] == '\'':
		return tokString, quotedEnd(s, i+2, '\'', true)
	case c == '"':
		return tokQuoted, quotedEnd(s, i+1, '"', false)
	case c == '$':
		if end, ok := dollarEnd(s, i); ok {
			return tokString, end
		}
		return tokPunct, i + 1
	case isIdentStart(c):
		j := i + 1
		for j < len(s) && isIdentPart(s[j]) {
			j++
		}
		return tokIdent, j
	case c >= '0' && c <= '9':
		j := i + 1
		for j < len(s) && (isIdentPart(s[j]) || s[j] == '.') {
			j++
		}
		return tokNumber, j
	}
	return tokPunct, i + 1
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

// quotedEnd finds the end of a quoted token whose body starts at i; a
// doubled quote is an escaped quote, and with backslash a backslash
// escapes the next byte.
func quotedEnd(s string, i int, q byte, backslash bool) int {
	for i < len(s) {
		switch {
		case backslash && s[i] == '\\':
			i += 2
		case s[i] == q && i+1 < len(s) && s[i+1] == q:
			i += 2
		case s[i] == q:
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}

// blockCommentEnd finds the end of a (nestable) /* comment */.
func blockCommentEnd(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(s)
}

// dollarEnd finds the end of a $tag$ ... $tag$ string starting at i.
func dollarEnd(s string, i int) (int, bool) {
	j := i + 1
	for j < len(s) && s[j] != '$' {
		if !isIdentPart(s[j]) || s[j] == '$' {
			return 0, false
		}
		j++
	}
	if j >= len(s) {
		return 0, false
	}
	tag := s[i : j+1]
	if k := strings.Index(s[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag), true
	}
	return len(s), true
}

// words returns the significant tokens of sql (no spaces or comments).
func words(sql string) []token {
	all := tokenize(sql)
	out := all[:0]
	for _, t := range all {
		if t.Kind != tokSpace {
			out = append(out, t)
		}
	}
	return out
}

// ident returns the identifier a token names, lowercased when unquoted,
// and false when the token is not an identifier.
func (t token) ident(sql string) (string, bool) {
	switch t.Kind {
	case tokIdent:
		return strings.ToLower(sql[t.Start:t.End]), true
	case tokQuoted:
		body := sql[t.Start+1 : max(t.End-1, t.Start+1)]
		return strings.ReplaceAll(body, `""`, `"`), true
	}
	return "", false
}

// is reports whether the token is the punctuation p.
func (t token) is(sql, p string) bool {
	return t.Kind == tokPunct && sql[t.Start:t.End] == p
}
