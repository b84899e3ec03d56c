package wire

import (
	"strconv"
	"strings"
)

// placeholder is one $n in a statement, with the type named by a directly
// following cast ($1::int8), if any.
type placeholder struct {
	n        int    // the n of $n; 0 when the number does not fit an int
	castType string // lower-case type name after "::", "" when none
}

// placeholders returns the $n placeholders of sql outside strings,
// identifiers and comments, in order of appearance.
func placeholders(sql string) []placeholder {
	toks := significant(sql)
	var ps []placeholder
	for i, t := range toks {
		if t.kind != tokParam {
			continue
		}
		n, err := strconv.Atoi(sql[t.start+1 : t.end])
		if err != nil {
			n = 0
		}
		p := placeholder{n: n}
		if i+2 < len(toks) && sql[toks[i+1].start:toks[i+1].end] == "::" && toks[i+2].kind == tokWord {
			p.castType = strings.ToLower(sql[toks[i+2].start:toks[i+2].end])
			if p.castType == "double" && i+3 < len(toks) && strings.EqualFold(sql[toks[i+3].start:toks[i+3].end], "precision") {
				p.castType = "double precision"
			}
		}
		ps = append(ps, p)
	}
	return ps
}

// maxPlaceholder returns the highest n of the $n placeholders in sql.
func maxPlaceholder(ps []placeholder) int {
	m := 0
	for _, p := range ps {
		m = max(m, p.n)
	}
	return m
}

// substitute replaces each $n placeholder of sql (outside strings,
// identifiers and comments) with lits[n-1]. A $n without a literal is
// a 42P02 error, as in Postgres.
func substitute(sql string, lits []string) (string, error) {
	var b strings.Builder
	last := 0
	for _, t := range lexSQL(sql) {
		if t.kind != tokParam {
			continue
		}
		n, err := strconv.Atoi(sql[t.start+1 : t.end])
		if err != nil || n < 1 || n > len(lits) {
			return "", newError(codeUndefinedParameter, "there is no parameter %s", sql[t.start:t.end])
		}
		b.WriteString(sql[last:t.start])
		b.WriteString(lits[n-1])
		last = t.end
	}
	if last == 0 {
		return sql, nil
	}
	b.WriteString(sql[last:])
	return b.String(), nil
}
