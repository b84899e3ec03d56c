package wire

import (
	"strings"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

// COPY over the wire is read-only: COPY (query) TO STDOUT and COPY table
// [(columns)] TO STDOUT run the query on the engine and stream its rows as
// CopyData in the text, CSV or binary format of Postgres. COPY FROM and
// COPY to or from a server file or program are refused with 42501.

// copyFormat is the data format of a COPY.
type copyFormat int

const (
	copyText copyFormat = iota
	copyCSV
	copyBinary
)

// copyStmt is a parsed COPY ... TO STDOUT.
type copyStmt struct {
	query      string // the SELECT whose rows are copied
	format     copyFormat
	header     bool
	delim      string // one byte
	null       string
	quote      string // one byte, CSV only
	escape     string // one byte, CSV only
	forceQuote []string
	forceAll   bool // FORCE_QUOTE *
	setDelim   bool // options given, for the Postgres validity checks
	setNull    bool
	setQuote   bool
	setEscape  bool
	formatSet  bool
}

// errCopyNotAllowed is the answer to COPY FROM and to COPY with a server
// file or program.
func errCopyNotAllowed(what string) error {
	return &sqlstate.Error{Code: sqlstate.InsufficientPrivilege,
		Message: "permission denied: " + what,
		Hint:    "Only COPY ... TO STDOUT is allowed: the data is read-only and server files are not accessible. Use psql's \\copy to write a client-side file."}
}

// parseCopy parses the rest of a COPY statement (after the COPY word).
func parseCopy(c *cursor) (*localStmt, bool, error) {
	query, err := copySource(c)
	if err != nil {
		return nil, true, err
	}
	switch {
	case c.accept("FROM"):
		return nil, true, errCopyNotAllowed("COPY FROM is not allowed, the data is read-only")
	case !c.accept("TO"):
		return nil, true, syntaxError(c)
	}
	switch {
	case c.accept("STDOUT"):
	case c.accept("PROGRAM"):
		return nil, true, errCopyNotAllowed("COPY TO PROGRAM is not allowed")
	case !c.done() && c.toks[c.i].kind == tokString:
		return nil, true, errCopyNotAllowed("COPY to a server file is not allowed")
	default:
		return nil, true, syntaxError(c)
	}
	cs := &copyStmt{query: query}
	if err := parseCopyOptions(c, cs); err != nil {
		return nil, true, err
	}
	if err := cs.finish(); err != nil {
		return nil, true, err
	}
	return &localStmt{kind: localCopy, tag: "COPY", copy: cs}, true, nil
}

// copySource parses "(query)" or "table [(columns)]" and returns the
// query to run.
func copySource(c *cursor) (string, error) {
	if !c.done() && c.text() == "(" {
		start, end, err := parenthesised(c)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(c.sql[start:end]), nil
	}
	if c.done() || (c.toks[c.i].kind != tokWord && c.toks[c.i].kind != tokQuotedIdent) {
		return "", syntaxError(c)
	}
	tableStart := c.toks[c.i].start
	c.i++
	for !c.done() && c.text() == "." {
		c.i++
		if c.done() || (c.toks[c.i].kind != tokWord && c.toks[c.i].kind != tokQuotedIdent) {
			return "", syntaxError(c)
		}
		c.i++
	}
	table := c.sql[tableStart:c.toks[c.i-1].end]
	cols := "*"
	if !c.done() && c.text() == "(" {
		start, end, err := parenthesised(c)
		if err != nil {
			return "", err
		}
		cols = strings.TrimSpace(c.sql[start:end])
	}
	return "SELECT " + cols + " FROM " + table, nil
}

// parenthesised consumes a balanced ( ... ) group and returns the byte
// range of its contents.
func parenthesised(c *cursor) (start, end int, err error) {
	open := c.i
	depth := 0
	for ; !c.done(); c.i++ {
		switch c.text() {
		case "(":
			depth++
		case ")":
			depth--
		}
		if depth == 0 {
			start, end = c.toks[open].end, c.toks[c.i].start
			c.i++
			if start == end || c.i == open+2 {
				return 0, 0, syntaxError(c)
			}
			return start, end, nil
		}
	}
	return 0, 0, syntaxError(c)
}

// parseCopyOptions parses [WITH] ( option [, ...] ) or the old-style
// options (BINARY, CSV, HEADER, DELIMITER [AS] 'x', NULL [AS] 'x',
// QUOTE [AS] 'x', ESCAPE [AS] 'x', FORCE QUOTE cols | *).
func parseCopyOptions(c *cursor, cs *copyStmt) error {
	c.accept("WITH")
	if !c.done() && c.text() == "(" {
		c.i++
		for {
			if err := parseCopyOption(c, cs); err != nil {
				return err
			}
			if c.done() {
				return syntaxError(c)
			}
			if c.text() == ")" {
				c.i++
				break
			}
			if c.text() != "," {
				return syntaxError(c)
			}
			c.i++
		}
		if !c.done() {
			return syntaxError(c)
		}
		return nil
	}
	for !c.done() {
		if err := parseOldCopyOption(c, cs); err != nil {
			return err
		}
	}
	return nil
}

// parseCopyOption parses one option of the parenthesised list.
func parseCopyOption(c *cursor, cs *copyStmt) error {
	name, ok := c.identifier()
	if !ok {
		return syntaxError(c)
	}
	switch name {
	case "format":
		if !c.done() && c.toks[c.i].kind == tokString {
			f, _ := stringArg(c)
			return cs.setFormat(strings.ToLower(f))
		}
		f, ok := c.identifier()
		if !ok {
			return syntaxError(c)
		}
		return cs.setFormat(f)
	case "header":
		b, err := optionalBool(c)
		if err != nil {
			return err
		}
		cs.header = b
		return nil
	case "delimiter", "null", "quote", "escape", "encoding":
		s, err := stringArg(c)
		if err != nil {
			return err
		}
		return cs.setString(name, s)
	case "force_quote":
		return parseForceQuote(c, cs, true)
	case "freeze", "force_not_null", "force_null", "default", "on_error", "log_verbosity", "reject_limit":
		return newError(sqlstate.FeatureNotSupported, "COPY option %q is only available for COPY FROM", name)
	}
	return newError(sqlstate.SyntaxError, "option %q not recognized", name)
}

// parseOldCopyOption parses one option of the pre-9.0 syntax.
func parseOldCopyOption(c *cursor, cs *copyStmt) error {
	switch w := c.word(); w {
	case "BINARY", "CSV":
		c.i++
		return cs.setFormat(strings.ToLower(w))
	case "HEADER":
		c.i++
		cs.header = true
		return nil
	case "DELIMITER", "NULL", "QUOTE", "ESCAPE":
		c.i++
		c.accept("AS")
		s, err := stringArg(c)
		if err != nil {
			return err
		}
		return cs.setString(strings.ToLower(w), s)
	case "FORCE":
		c.i++
		if !c.accept("QUOTE") {
			return syntaxError(c)
		}
		return parseForceQuote(c, cs, false)
	}
	return syntaxError(c)
}

// optionalBool parses the optional boolean value of HEADER: true when
// absent; true/false/on/off/1/0 as words, strings or numbers.
func optionalBool(c *cursor) (bool, error) {
	if c.done() || c.text() == "," || c.text() == ")" {
		return true, nil
	}
	v := c.text()
	if c.toks[c.i].kind == tokString {
		v = unquoteString(v)
	}
	c.i++
	switch strings.ToLower(v) {
	case "true", "on", "1", "yes":
		return true, nil
	case "false", "off", "0", "no":
		return false, nil
	case "match":
		return false, newError(sqlstate.FeatureNotSupported, "cannot use \"match\" with HEADER in COPY TO")
	}
	return false, newError(sqlstate.SyntaxError, "header requires a Boolean value")
}

// stringArg parses a string literal argument.
func stringArg(c *cursor) (string, error) {
	if c.done() || c.toks[c.i].kind != tokString {
		return "", syntaxError(c)
	}
	s := unquoteString(c.text())
	c.i++
	return s, nil
}

// parseForceQuote parses the column list of FORCE_QUOTE: *, (a, b) in the
// new syntax or a, b in the old one.
func parseForceQuote(c *cursor, cs *copyStmt, parens bool) error {
	if !c.done() && c.text() == "*" {
		c.i++
		cs.forceAll = true
		return nil
	}
	if parens {
		if c.done() || c.text() != "(" {
			return syntaxError(c)
		}
		c.i++
	}
	for {
		name, ok := c.identifier()
		if !ok {
			return syntaxError(c)
		}
		cs.forceQuote = append(cs.forceQuote, name)
		if c.done() || c.text() != "," || (!parens && c.i+1 < len(c.toks) && c.toks[c.i+1].kind != tokWord && c.toks[c.i+1].kind != tokQuotedIdent) {
			break
		}
		c.i++
	}
	if parens {
		if c.done() || c.text() != ")" {
			return syntaxError(c)
		}
		c.i++
	}
	return nil
}

// setFormat sets FORMAT text | csv | binary.
func (cs *copyStmt) setFormat(f string) error {
	if cs.formatSet {
		return newError(sqlstate.SyntaxError, "conflicting or redundant options")
	}
	cs.formatSet = true
	switch f {
	case "text":
		cs.format = copyText
	case "csv":
		cs.format = copyCSV
	case "binary":
		cs.format = copyBinary
	default:
		return newError(codeInvalidParameterValue, "COPY format %q not recognized", f)
	}
	return nil
}

// setString sets one of the string options.
func (cs *copyStmt) setString(name, s string) error {
	switch name {
	case "delimiter":
		cs.delim, cs.setDelim = s, true
	case "null":
		cs.null, cs.setNull = s, true
	case "quote":
		cs.quote, cs.setQuote = s, true
	case "escape":
		cs.escape, cs.setEscape = s, true
	case "encoding":
		if n := strings.ReplaceAll(strings.ToUpper(s), "-", ""); n != "UTF8" && n != "UNICODE" {
			return newError(sqlstate.FeatureNotSupported, "COPY encoding %q is not supported, only UTF8", s)
		}
	}
	return nil
}

// finish applies the defaults of the format and checks the options as
// Postgres does.
func (cs *copyStmt) finish() error {
	bad := func(format string, args ...any) error { return newError(sqlstate.FeatureNotSupported, format, args...) }
	if cs.format == copyBinary && (cs.setDelim || cs.setNull || cs.header) {
		return bad("cannot specify DELIMITER, NULL or HEADER in BINARY mode")
	}
	if cs.format != copyCSV && (cs.setQuote || cs.setEscape || cs.forceAll || len(cs.forceQuote) > 0) {
		return bad("COPY QUOTE, ESCAPE and FORCE_QUOTE are available only in CSV mode")
	}
	if !cs.setDelim {
		cs.delim = map[bool]string{true: ",", false: "\t"}[cs.format == copyCSV]
	}
	if !cs.setNull {
		cs.null = map[bool]string{true: "", false: `\N`}[cs.format == copyCSV]
	}
	if !cs.setQuote {
		cs.quote = `"`
	}
	if !cs.setEscape {
		cs.escape = cs.quote
	}
	invalid := func(format string, args ...any) error { return newError(codeInvalidParameterValue, format, args...) }
	switch {
	case len(cs.delim) != 1:
		return invalid("COPY delimiter must be a single one-byte character")
	case cs.delim == "\n" || cs.delim == "\r":
		return invalid("COPY delimiter cannot be newline or carriage return")
	case strings.ContainsAny(cs.null, "\r\n"):
		return invalid("COPY null representation cannot use newline or carriage return")
	case cs.format == copyText && strings.ContainsAny(cs.delim, `\.abcdefghijklmnopqrstuvwxyz0123456789`):
		return invalid("COPY delimiter cannot be %q", cs.delim)
	case cs.format == copyCSV && len(cs.quote) != 1:
		return invalid("COPY quote must be a single one-byte character")
	case cs.format == copyCSV && len(cs.escape) != 1:
		return invalid("COPY escape must be a single one-byte character")
	case cs.format == copyCSV && cs.delim == cs.quote:
		return invalid("COPY delimiter and quote must be different")
	case cs.format == copyCSV && strings.Contains(cs.null, cs.delim):
		return invalid("COPY delimiter character must not appear in the NULL specification")
	}
	return nil
}
