package engine

import (
	"strings"
)

// compatSchema holds the fhirlake-owned Postgres catalog emulation,
// created in DuckDB's main in-memory database (see pgcatalog.go).
const compatSchema = "memory.fhirlake_pg"

// compatRelations are the pg_catalog relations served by compatSchema.
var compatRelations = map[string]bool{
	"pg_class": true, "pg_namespace": true, "pg_attribute": true,
	"pg_type": true, "pg_database": true, "pg_tables": true, "pg_roles": true,
	"pg_policy": true, "pg_statistic_ext": true, "pg_publication": true,
	"pg_publication_rel": true, "pg_publication_namespace": true, "pg_inherits": true,
}

// compatFunctions are the pg_catalog functions served by compatSchema.
var compatFunctions = map[string]bool{
	"version": true, "pg_get_userbyid": true, "format_type": true, "pg_get_expr": true,
	"pg_get_statisticsobjdef_columns": true, "pg_relation_is_publishable": true,
	"array_upper": true, "pg_encoding_to_char": true,
}

// compatKeywords are SQL-standard niladic functions written without
// parentheses, served by compatSchema.
var compatKeywords = map[string]string{
	"current_user": `"current_user"()`,
	"session_user": `"session_user"()`,
}

// rewriteCompat redirects references to the emulated pg_catalog
// relations and functions, qualified with pg_catalog or not, to
// compatSchema; strips pg_catalog from other function calls and casts;
// turns OPERATOR(pg_catalog.op) into op and COLLATE pg_catalog.default
// into nothing; and gives ~ Postgres' meaning (rewriteRegex). The text of
// strings, quoted identifiers and comments is never touched. Unqualified
// relation names are rewritten only in FROM position, where they cannot
// be columns.
func rewriteCompat(sql string) string {
	w := words(sql)
	var b strings.Builder
	last := 0
	emit := func(from, to int, repl string) {
		b.WriteString(sql[last:from])
		b.WriteString(repl)
		last = to
	}
	inFrom := false
	inserts := map[int]string{} // word index → text to add after it
	for i := 0; i < len(w); i++ {
		if kw, ok := w[i].ident(sql); ok && w[i].Kind == tokIdent {
			if v, ok := clauseWords[kw]; ok {
				inFrom = v
			}
		}
		if inFrom && i > 0 && afterFrom(sql, w[i-1]) {
			if k, alias := fromFunctionAlias(sql, w, i); k > 0 {
				inserts[k] = "(" + alias + ")"
			}
		}
		if n, repl := compatMatch(sql, w, i, inFrom); n > 0 {
			emit(w[i].Start, w[i+n-1].End, repl)
			i += n - 1
		}
		if ins, ok := inserts[i]; ok {
			emit(w[i].End, w[i].End, ins)
		}
	}
	b.WriteString(sql[last:])
	return rewriteRegex(b.String())
}

// compatMatch reports how many words starting at i to replace, and by what.
func compatMatch(sql string, w []token, i int, inFrom bool) (int, string) {
	at := func(k int) token {
		if k < 0 || k >= len(w) {
			return token{Kind: tokSpace}
		}
		return w[k]
	}
	name, ok := w[i].ident(sql)
	if !ok || at(i-1).is(sql, ".") {
		return 0, ""
	}
	if w[i].Kind == tokIdent && name == "operator" && at(i+1).is(sql, "(") {
		return operatorMatch(sql, w, i)
	}
	if w[i].Kind == tokIdent && name == "collate" {
		if s, _ := at(i + 1).ident(sql); s == "pg_catalog" && at(i+2).is(sql, ".") {
			if c, _ := at(i + 3).ident(sql); c == "default" {
				return 4, ""
			}
		}
	}
	if name == "pg_catalog" && at(i+1).is(sql, ".") && at(i-1).is(sql, ":") && at(i-2).is(sql, ":") {
		if typ, ok := at(i + 2).ident(sql); ok {
			return 3, castType(typ)
		}
	}
	n := 1
	if name == "pg_catalog" && w[i].Kind == tokIdent && at(i+1).is(sql, ".") {
		if name, ok = at(i + 2).ident(sql); !ok {
			return 0, ""
		}
		n = 3
	}
	if at(i+n-1+1).is(sql, ".") {
		return 0, ""
	}
	call := at(i+n).is(sql, "(")
	switch {
	case call && compatFunctions[name]:
		return n, compatSchema + "." + quoteIdent(name)
	case !call && compatRelations[name] && (n == 3 || inFrom && afterFrom(sql, at(i-1))):
		return n, compatSchema + "." + quoteIdent(name)
	case call && n == 3:
		// DuckDB keeps few functions in pg_catalog; the rest (such as
		// array_to_string) resolve unqualified.
		return 3, sql[w[i+2].Start:w[i+2].End]
	case !call && n == 1 && w[i].Kind == tokIdent && compatKeywords[name] != "":
		return 1, compatSchema + "." + compatKeywords[name]
	}
	return 0, ""
}

// operatorMatch rewrites OPERATOR(pg_catalog.~) to ~.
func operatorMatch(sql string, w []token, i int) (int, string) {
	j := i + 2
	if j+1 < len(w) {
		if s, _ := w[j].ident(sql); s == "pg_catalog" && w[j+1].is(sql, ".") {
			j += 2
		}
	}
	k := j
	for k < len(w) && w[k].Kind == tokPunct && !w[k].is(sql, ")") {
		k++
	}
	if k == j || k >= len(w) {
		return 0, ""
	}
	return k - i + 1, sql[w[j].Start:w[k-1].End]
}

// clauseWords start (true) or end (false) a FROM clause.
var clauseWords = map[string]bool{
	"from": true, "join": true,
	"select": false, "where": false, "group": false, "order": false, "having": false, "on": false,
	"using": false, "limit": false, "qualify": false, "window": false, "union": false, "except": false,
	"intersect": false, "values": false,
}

// afterFrom reports whether prev, the word before an unqualified name,
// puts the name in table position (FROM x, JOIN x, FROM a, x): only
// there is a bare pg_class a relation and not a column.
func afterFrom(sql string, prev token) bool {
	if prev.is(sql, ",") {
		return true
	}
	w, ok := prev.ident(sql)
	return ok && prev.Kind == tokIdent && (w == "from" || w == "join")
}

// castType maps the target of a ::pg_catalog.<type> cast to a DuckDB type.
// The reg* types become text: the engine has no OID-to-name casts, and
// psql only applies them to zero OIDs it does not print.
func castType(typ string) string {
	switch typ {
	case "regtype", "regclass", "regproc", "regprocedure", "regnamespace", "name", "char", "bpchar":
		return "VARCHAR"
	case "oid", "xid", "cid":
		return "BIGINT"
	}
	return quoteIdent(typ)
}

// fromFunctionAlias finds "pg_catalog.f(...) [AS] alias" starting at word
// i in FROM position, where alias has no column list. Postgres lets the
// alias of a scalar function in FROM name its column too; DuckDB needs
// "alias(alias)" for that. Only pg_catalog-qualified calls (written by
// Postgres clients) are changed: in DuckDB SQL, FROM range(3) r has the
// column r.range. It returns the alias's word index and name.
func fromFunctionAlias(sql string, w []token, i int) (int, string) {
	j := i + 2
	if s, _ := w[i].ident(sql); s != "pg_catalog" || j >= len(w) || !w[i+1].is(sql, ".") {
		return 0, ""
	}
	if w[j].Kind != tokIdent || j+1 >= len(w) || !w[j+1].is(sql, "(") {
		return 0, ""
	}
	depth, k := 0, j+1
	for ; k < len(w); k++ {
		if w[k].is(sql, "(") {
			depth++
		} else if w[k].is(sql, ")") {
			if depth--; depth == 0 {
				break
			}
		}
	}
	k++
	if k < len(w) && isWord(sql, w[k], "as") {
		k++
	}
	if k >= len(w) || w[k].Kind != tokIdent || (k+1 < len(w) && w[k+1].is(sql, "(")) {
		return 0, ""
	}
	alias, _ := w[k].ident(sql)
	if _, kw := clauseWords[alias]; kw || alias == "on" || alias == "left" || alias == "inner" || alias == "cross" ||
		alias == "natural" || alias == "right" || alias == "full" || alias == "with" {
		return 0, ""
	}
	return k, sql[w[k].Start:w[k].End]
}
