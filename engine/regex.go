package engine

import (
	"strings"
)

// rewriteRegex gives the regular-expression match operators Postgres'
// meaning. In DuckDB, a ~ 'p' (and !~) is a full match; in Postgres it is a
// search, which psql's catalog queries rely on (nspname !~ '^pg_'). When
// the pattern is a plain string literal it becomes '(?s).*(?:p).*', whose
// full match is exactly a search for p; ~* and !~* also add the i flag.
// Patterns that are not literals keep DuckDB's meaning.
func rewriteRegex(sql string) string {
	w := words(sql)
	var b strings.Builder
	last := 0
	for i := 0; i < len(w); i++ {
		if !w[i].is(sql, "~") || i > 0 && w[i-1].is(sql, "~") {
			continue
		}
		j, flags := i+1, "s"
		if j < len(w) && w[j].is(sql, "*") && w[j].Start == w[i].End {
			j, flags = j+1, "si"
		}
		if j >= len(w) || w[j].Kind != tokString || sql[w[j].Start] != '\'' || w[j].End-w[j].Start < 2 {
			continue
		}
		lit := sql[w[j].Start+1 : w[j].End-1]
		pattern := strings.ReplaceAll(lit, "''", "'")
		b.WriteString(sql[last:w[i].Start])
		b.WriteString("~ ")
		b.WriteString(quoteLiteral("(?" + flags + ").*(?:" + pattern + ").*"))
		last = w[j].End
		i = j
	}
	b.WriteString(sql[last:])
	return b.String()
}
