package wire

import (
	"strings"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

// localKind is the kind of a statement the server answers itself instead
// of sending it to the engine.
type localKind int

const (
	localSet        localKind = iota // SET name = value
	localReset                       // RESET name | ALL
	localShow                        // SHOW name | ALL
	localBegin                       // BEGIN, START TRANSACTION
	localCommit                      // COMMIT, END
	localRollback                    // ROLLBACK, ABORT
	localSavepoint                   // SAVEPOINT name
	localRelease                     // RELEASE [SAVEPOINT] name
	localRollbackTo                  // ROLLBACK TO [SAVEPOINT] name
	localNoop                        // SET TRANSACTION ..., accepted and ignored
	localDeallocate                  // DEALLOCATE [PREPARE] name | ALL
	localDiscard                     // DISCARD ALL
	localCopy                        // COPY ... TO STDOUT
	localDeclare                     // DECLARE name CURSOR FOR query
	localFetch                       // FETCH [direction] [FROM] name
	localMove                        // MOVE [direction] [FROM] name
	localClose                       // CLOSE name | ALL
)

// localStmt is a parsed session or transaction statement.
type localStmt struct {
	kind      localKind
	tag       string      // command tag on success
	name      string      // canonical GUC name or savepoint name; "" for ALL
	value     string      // SET value
	isDefault bool        // SET name TO DEFAULT
	isLocal   bool        // SET LOCAL
	copy      *copyStmt   // COPY
	cur       *cursorStmt // DECLARE, FETCH, MOVE, CLOSE
}

// columns describes the result of a SHOW; other statements have none.
func (l *localStmt) columns() []Column {
	switch {
	case l.kind != localShow:
		return nil
	case l.name == "":
		return []Column{textColumn("name"), textColumn("setting"), textColumn("description")}
	}
	return []Column{textColumn(l.name)}
}

// cursor walks the significant tokens of a statement.
type cursor struct {
	sql  string
	toks []token
	i    int
}

func newCursor(sql string) *cursor { return &cursor{sql: sql, toks: significant(sql)} }

func (c *cursor) done() bool { return c.i >= len(c.toks) }

func (c *cursor) text() string {
	t := c.toks[c.i]
	return c.sql[t.start:t.end]
}

// word returns the upper-cased current token if it is a word, else "".
func (c *cursor) word() string {
	if c.done() || c.toks[c.i].kind != tokWord {
		return ""
	}
	return strings.ToUpper(c.text())
}

// accept consumes the current token if it is one of the given words.
func (c *cursor) accept(words ...string) bool {
	w := c.word()
	for _, x := range words {
		if w == x {
			c.i++
			return true
		}
	}
	return false
}

// identifier consumes a bare or quoted identifier and returns its name,
// lower-casing bare names as Postgres does.
func (c *cursor) identifier() (string, bool) {
	if c.done() {
		return "", false
	}
	switch c.toks[c.i].kind {
	case tokWord:
		s := strings.ToLower(c.text())
		c.i++
		return s, true
	case tokQuotedIdent:
		s := unquote(c.text(), '"')
		c.i++
		return s, true
	}
	return "", false
}

// parseLocal recognises the statements the server answers itself. It
// returns ok=false for anything the engine should run, including SET,
// SHOW and RESET of parameters the server does not know. A recognised but
// malformed statement returns a 42601 error.
func parseLocal(sql string) (l *localStmt, ok bool, err error) {
	c := newCursor(sql)
	switch c.word() {
	case "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE":
		return parseTransaction(c)
	case "SET":
		c.i++
		return parseSet(c)
	case "RESET":
		c.i++
		return parseReset(c)
	case "SHOW":
		c.i++
		return parseShow(c)
	case "DEALLOCATE":
		c.i++
		return parseDeallocate(c)
	case "COPY":
		c.i++
		return parseCopy(c)
	case "DECLARE", "FETCH", "MOVE", "CLOSE":
		return parseCursorStmt(c)
	case "DISCARD":
		c.i++
		if !c.accept("ALL") || !c.done() {
			return nil, true, syntaxError(c)
		}
		return &localStmt{kind: localDiscard, tag: "DISCARD ALL"}, true, nil
	}
	return nil, false, nil
}

// parseDeallocate parses the rest of DEALLOCATE [PREPARE] {name | ALL},
// which drops protocol-level prepared statements (psqlODBC frees its
// statements this way).
func parseDeallocate(c *cursor) (*localStmt, bool, error) {
	c.accept("PREPARE")
	l := &localStmt{kind: localDeallocate, tag: "DEALLOCATE"}
	if c.accept("ALL") {
		l.tag = "DEALLOCATE ALL"
	} else {
		name, ok := c.identifier()
		if !ok {
			return nil, true, syntaxError(c)
		}
		l.name = name
	}
	if !c.done() {
		return nil, true, syntaxError(c)
	}
	return l, true, nil
}

func syntaxError(c *cursor) error {
	if c.done() {
		return &sqlstate.Error{Code: sqlstate.SyntaxError, Message: "syntax error at end of input"}
	}
	return &sqlstate.Error{Code: sqlstate.SyntaxError,
		Message:  "syntax error at or near \"" + c.text() + "\"",
		Position: len([]rune(c.sql[:c.toks[c.i].start])) + 1}
}

// parseTransaction parses BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK,
// ABORT, SAVEPOINT, RELEASE and ROLLBACK TO SAVEPOINT. Transaction modes
// (ISOLATION LEVEL..., READ ONLY) are accepted and ignored.
func parseTransaction(c *cursor) (*localStmt, bool, error) {
	first := c.word()
	c.i++
	switch first {
	case "BEGIN":
		return &localStmt{kind: localBegin, tag: "BEGIN"}, true, nil
	case "START":
		if !c.accept("TRANSACTION") {
			return nil, false, nil
		}
		return &localStmt{kind: localBegin, tag: "START TRANSACTION"}, true, nil
	case "COMMIT", "END":
		if c.word() == "PREPARED" {
			return nil, false, nil
		}
		return &localStmt{kind: localCommit, tag: "COMMIT"}, true, nil
	case "ROLLBACK", "ABORT":
		if c.word() == "PREPARED" {
			return nil, false, nil
		}
		c.accept("WORK", "TRANSACTION")
		if !c.accept("TO") {
			return &localStmt{kind: localRollback, tag: "ROLLBACK"}, true, nil
		}
		c.accept("SAVEPOINT")
		return savepointStmt(c, localRollbackTo, "ROLLBACK")
	case "SAVEPOINT":
		return savepointStmt(c, localSavepoint, "SAVEPOINT")
	}
	c.accept("SAVEPOINT") // RELEASE [SAVEPOINT] name
	return savepointStmt(c, localRelease, "RELEASE")
}

func savepointStmt(c *cursor, kind localKind, tag string) (*localStmt, bool, error) {
	name, ok := c.identifier()
	if !ok || !c.done() {
		return nil, true, syntaxError(c)
	}
	return &localStmt{kind: kind, tag: tag, name: name}, true, nil
}

// parseSet parses the rest of SET [SESSION|LOCAL] ...
func parseSet(c *cursor) (*localStmt, bool, error) {
	l := &localStmt{kind: localSet, tag: "SET"}
	if c.accept("LOCAL") {
		l.isLocal = true
	} else if c.word() == "SESSION" && c.i+1 < len(c.toks) && !isAssign(c, c.i+1) {
		c.i++
		if c.accept("CHARACTERISTICS") {
			return &localStmt{kind: localNoop, tag: "SET"}, true, nil
		}
	}
	switch {
	case c.accept("TRANSACTION"):
		return &localStmt{kind: localNoop, tag: "SET"}, true, nil
	case c.word() == "TIME" && c.i+1 < len(c.toks) && strings.EqualFold(c.sql[c.toks[c.i+1].start:c.toks[c.i+1].end], "ZONE"):
		c.i += 2
		l.name = "TimeZone"
		if c.accept("LOCAL", "DEFAULT") && c.done() {
			l.isDefault = true
			return l, true, nil
		}
		return setValue(c, l)
	case c.accept("NAMES"):
		l.name = "client_encoding"
		return setValue(c, l)
	}
	name, ok := c.identifier()
	if !ok {
		return nil, true, syntaxError(c)
	}
	g, known := lookupGUC(name)
	if !known || (!c.done() && c.text() == ".") {
		return nil, false, nil
	}
	l.name = g.name
	if !c.accept("TO") {
		if c.done() || c.text() != "=" {
			return nil, true, syntaxError(c)
		}
		c.i++
	}
	if c.accept("DEFAULT") && c.done() {
		l.isDefault = true
		return l, true, nil
	}
	return setValue(c, l)
}

// isAssign reports whether token i is TO or =, so that SET SESSION TO x
// treats SESSION as a parameter name.
func isAssign(c *cursor, i int) bool {
	s := c.sql[c.toks[i].start:c.toks[i].end]
	return s == "=" || strings.EqualFold(s, "TO")
}

// setValue parses a comma-separated value list: strings are unquoted,
// quoted identifiers keep their quotes (as search_path shows them), words
// and signed numbers are kept as written.
func setValue(c *cursor, l *localStmt) (*localStmt, bool, error) {
	var parts []string
	for {
		if c.done() {
			return nil, true, syntaxError(c)
		}
		sign := ""
		if t := c.text(); t == "-" || t == "+" {
			sign = t
			c.i++
			if c.done() || c.toks[c.i].kind != tokNumber {
				return nil, true, syntaxError(c)
			}
		}
		switch c.toks[c.i].kind {
		case tokString:
			parts = append(parts, unquoteString(c.text()))
		case tokWord, tokNumber, tokQuotedIdent:
			parts = append(parts, sign+c.text())
		default:
			return nil, true, syntaxError(c)
		}
		c.i++
		if c.done() {
			break
		}
		if c.text() != "," {
			return nil, true, syntaxError(c)
		}
		c.i++
	}
	l.value = strings.Join(parts, ", ")
	return l, true, nil
}

// parseReset parses the rest of RESET name | ALL | TIME ZONE.
func parseReset(c *cursor) (*localStmt, bool, error) {
	l := &localStmt{kind: localReset, tag: "RESET"}
	switch {
	case c.accept("ALL"):
	case c.accept("TIME"):
		if !c.accept("ZONE") {
			return nil, true, syntaxError(c)
		}
		l.name = "TimeZone"
	case c.accept("SESSION"):
		if !c.accept("AUTHORIZATION") {
			return nil, true, syntaxError(c)
		}
		l.name = "session_authorization"
	default:
		name, ok := c.identifier()
		if !ok {
			return nil, true, syntaxError(c)
		}
		g, known := lookupGUC(name)
		if !known {
			return nil, false, nil
		}
		l.name = g.name
	}
	if !c.done() {
		return nil, false, nil
	}
	return l, true, nil
}

// parseShow parses the rest of SHOW name | ALL | TIME ZONE | TRANSACTION
// ISOLATION LEVEL | SESSION AUTHORIZATION.
func parseShow(c *cursor) (*localStmt, bool, error) {
	l := &localStmt{kind: localShow, tag: "SHOW"}
	switch {
	case c.accept("ALL"):
	case c.word() == "TIME" && c.i+1 < len(c.toks) && strings.EqualFold(c.sql[c.toks[c.i+1].start:c.toks[c.i+1].end], "ZONE"):
		c.i += 2
		l.name = "TimeZone"
	case c.accept("TRANSACTION"):
		if !c.accept("ISOLATION") || !c.accept("LEVEL") {
			return nil, true, syntaxError(c)
		}
		l.name = "transaction_isolation"
	case c.accept("SESSION"):
		if !c.accept("AUTHORIZATION") {
			return nil, true, syntaxError(c)
		}
		l.name = "session_authorization"
	default:
		name, ok := c.identifier()
		if !ok {
			return nil, false, nil
		}
		g, known := lookupGUC(name)
		if !known {
			return nil, false, nil
		}
		l.name = g.name
	}
	if !c.done() {
		return nil, false, nil
	}
	return l, true, nil
}

// unquote removes the quotes of a '...' or "..." token and undoubles
// embedded quotes. An unterminated token keeps its tail.
func unquote(s string, q byte) string {
	s = s[1:]
	if len(s) > 0 && s[len(s)-1] == q {
		s = s[:len(s)-1]
	}
	return strings.ReplaceAll(s, string([]byte{q, q}), string(q))
}

// unquoteString returns the value of a string literal token: '...' or
// E'...' with the common backslash escapes.
func unquoteString(s string) string {
	if s[0] != 'E' && s[0] != 'e' {
		return unquote(s, '\'')
	}
	body := unquote(s[1:], '\'')
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' || i+1 == len(body) {
			b.WriteByte(body[i])
			continue
		}
		i++
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		default:
			b.WriteByte(body[i])
		}
	}
	return b.String()
}
