package wire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{"empty", "", nil},
		{"only separators and comments", " ; -- x;\n /* ; */ ;", nil},
		{"one", "SELECT 1", []string{"SELECT 1"}},
		{"trailing semicolon", "SELECT 1;", []string{"SELECT 1"}},
		{"two", "SELECT 1; SELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"semicolon in string", "SELECT 'a;b'; SELECT 2", []string{"SELECT 'a;b'", "SELECT 2"}},
		{"doubled quote", "SELECT 'it''s;'; SELECT 2", []string{"SELECT 'it''s;'", "SELECT 2"}},
		{"backslash is literal in standard strings", `SELECT 'a\'; SELECT 2`, []string{`SELECT 'a\'`, "SELECT 2"}},
		{"escape string", `SELECT E'a\';b'; SELECT 2`, []string{`SELECT E'a\';b'`, "SELECT 2"}},
		{"lower-case escape string", `SELECT e'\\'; SELECT 2`, []string{`SELECT e'\\'`, "SELECT 2"}},
		{"quoted identifier", `SELECT 1 AS "a;""b"; SELECT 2`, []string{`SELECT 1 AS "a;""b"`, "SELECT 2"}},
		{"dollar quote", "SELECT $$a;b$$; SELECT 2", []string{"SELECT $$a;b$$", "SELECT 2"}},
		{"tagged dollar quote", "SELECT $fn$ $$;$$ $fn$; SELECT 2", []string{"SELECT $fn$ $$;$$ $fn$", "SELECT 2"}},
		{"line comment", "SELECT 1 -- ;\n; SELECT 2", []string{"SELECT 1 -- ;", "SELECT 2"}},
		{"nested block comment", "SELECT /* /* ; */ ; */ 1; SELECT 2", []string{"SELECT /* /* ; */ ; */ 1", "SELECT 2"}},
		{"unterminated string runs to the end", "SELECT 'a; SELECT 2", []string{"SELECT 'a; SELECT 2"}},
		{"unterminated comment runs to the end", "SELECT 1 /* ; SELECT 2", []string{"SELECT 1 /* ; SELECT 2"}},
		{"identifier with dollar is not a quote", "SELECT a$b; SELECT $1", []string{"SELECT a$b", "SELECT $1"}},
		{"json operators", "SELECT r->>'a' #>> '{b}' FROM t; SELECT 2", []string{"SELECT r->>'a' #>> '{b}' FROM t", "SELECT 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, splitStatements(tt.input))
		})
	}
}

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []placeholder
	}{
		{"none", "SELECT '$1' -- $2\n /* $3 */", nil},
		{"ordered with casts", "SELECT $2::int8, $1, $3::double precision, $1::TEXT", []placeholder{
			{n: 2, castType: "int8"}, {n: 1}, {n: 3, castType: "double precision"}, {n: 1, castType: "text"}}},
		{"inside dollar quote", "SELECT $$ $1 $$, $1", []placeholder{{n: 1}}},
		{"identifier", `SELECT "$1", x$1`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, placeholders(tt.sql))
		})
	}
}

func TestSubstitute(t *testing.T) {
	tests := []struct {
		name     string
		sql      string
		lits     []string
		want     string
		wantCode string
	}{
		{"none", "SELECT 1", nil, "SELECT 1", ""},
		{"order and reuse", "SELECT $2, $1, $2", []string{"'a'", "7"}, "SELECT 7, 'a', 7", ""},
		{"strings and comments untouched", `SELECT '$1', "$1", $$ $1 $$, $1 -- $1`, []string{"NULL"}, `SELECT '$1', "$1", $$ $1 $$, NULL -- $1`, ""},
		{"adjacent", "SELECT $1||$1", []string{"'x'"}, "SELECT 'x'||'x'", ""},
		{"missing", "SELECT $2", []string{"1"}, "", "42P02"},
		{"zero", "SELECT $0", []string{"1"}, "", "42P02"},
		{"huge", "SELECT $99999999999999999999", []string{"1"}, "", "42P02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := substitute(tt.sql, tt.lits)
			if tt.wantCode != "" {
				require.Equal(t, tt.wantCode, errorResponse(err).Code)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// FuzzSplitStatements checks that splitting never panics, that each
// statement is a trimmed part of the input, and that splitting a
// statement again gives the statement itself.
func FuzzSplitStatements(f *testing.F) {
	for _, s := range []string{"SELECT 1; SELECT 2", "SELECT 'a;''b'", `E'\';'`, "$a$ ; $a$; x", "/* /* */ ; */;", "-- ;\n;", `"a;""b";`, "$1;$$", "\u00a0;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if len(sql) > 10_000 {
			return
		}
		for _, stmt := range splitStatements(sql) {
			if !strings.Contains(sql, stmt) || stmt == "" {
				t.Fatalf("statement %q is not a non-empty part of %q", stmt, sql)
			}
			if again := splitStatements(stmt); len(again) != 1 || again[0] != stmt {
				t.Fatalf("re-splitting %q gave %q", stmt, again)
			}
		}
		_, _ = substitute(sql, []string{"NULL"})
		_ = placeholders(sql)
	})
}
