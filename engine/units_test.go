package engine

import (
	"context"
	"errors"
	"math"
	"math/big"
	"testing"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

func TestRewriteCompat(t *testing.T) {
	const s = "memory.fhirlake_pg."
	tests := []struct{ in, want string }{
		{"SELECT * FROM pg_catalog.pg_class c", "SELECT * FROM " + s + `"pg_class" c`},
		{"SELECT * FROM pg_class", "SELECT * FROM " + s + `"pg_class"`},
		{"SELECT pg_type FROM x, pg_attribute JOIN pg_type ON true", "SELECT pg_type FROM x, " + s + `"pg_attribute" JOIN ` + s + `"pg_type" ON true`},
		{"SELECT pg_class.oid FROM PG_CATALOG . pg_type", "SELECT pg_class.oid FROM " + s + `"pg_type"`},
		{`SELECT 'pg_class', "pg_class" /* pg_class */ -- pg_class` + "\nFROM x", `SELECT 'pg_class', "pg_class" /* pg_class */ -- pg_class` + "\nFROM x"},
		{"SELECT e'it\\'s pg_class', $$pg_class$$, $t$ version() $t$", "SELECT e'it\\'s pg_class', $$pg_class$$, $t$ version() $t$"},
		{"SELECT version(), pg_catalog.version ()", "SELECT " + s + `"version"(), ` + s + `"version" ()`},
		{"SELECT version FROM t", "SELECT version FROM t"},
		{"SELECT system.pg_catalog.pg_class.oid", "SELECT system.pg_catalog.pg_class.oid"},
		{"SELECT current_user, x.current_user", "SELECT " + s + `"current_user"(), x.current_user`},
		{"WHERE c.relname OPERATOR(pg_catalog.~) '^(x)$' COLLATE pg_catalog.default", "WHERE c.relname ~ '(?s).*(?:^(x)$).*' "},
		{"SELECT 1 /* unterminated pg_class", "SELECT 1 /* unterminated pg_class"},
		{"SELECT a ~ '^pg_', b !~ 'x''y', c ~* 'Q', d !~* 'r', e ~ f, ~5, g ~~ 'h'",
			"SELECT a ~ '(?s).*(?:^pg_).*', b !~ '(?s).*(?:x''y).*', c ~ '(?si).*(?:Q).*', d !~ '(?si).*(?:r).*', e ~ f, ~5, g ~~ 'h'"},
		{"SELECT s FROM pg_catalog.generate_series(1, pg_catalog.array_upper(a, 1)) s, t", "SELECT s FROM generate_series(1, " + s + `"array_upper"(a, 1)) s(s), t`},
		{"SELECT * FROM pg_catalog.range(3) AS r JOIN pg_catalog.f(1) g(x) ON true, range(2) q", "SELECT * FROM range(3) AS r(r) JOIN f(1) g(x) ON true, range(2) q"},
		{"SELECT * FROM range(3) WHERE true", "SELECT * FROM range(3) WHERE true"},
		{"SELECT x::pg_catalog.regtype::pg_catalog.text, y::pg_catalog.oid", `SELECT x::VARCHAR::"text", y::BIGINT`},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, rewriteCompat(tt.in), tt.in)
	}
}

func TestMapError(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		ctx  context.Context
		err  error
		code string
		msg  string
		hint string
	}{
		{context.Background(), &duckdb.Error{Type: duckdb.ErrorTypeCatalog, Msg: "Catalog Error: Table with name x does not exist!\nDid you mean \"y\"?\n\nLINE 1: select * from x\n                      ^"},
			"42P01", "Table with name x does not exist!", `Did you mean "y"?`},
		{context.Background(), &duckdb.Error{Type: duckdb.ErrorTypeBinder, Msg: "Binder Error: Referenced column \"x\" not found in FROM clause!\nCandidate bindings: \"a\""},
			"42703", `Referenced column "x" not found in FROM clause!`, `Candidate bindings: "a"`},
		{context.Background(), &duckdb.Error{Type: duckdb.ErrorTypeCatalog, Msg: "Catalog Error: Scalar Function with name f does not exist!"}, "42883", "Scalar Function with name f does not exist!", ""},
		{context.Background(), &duckdb.Error{Type: duckdb.ErrorTypeDivideByZero, Msg: "Divide by Zero Error: x"}, "22012", "x", ""},
		{context.Background(), &duckdb.Error{Type: duckdb.ErrorTypeConversion, Msg: "Conversion Error: x"}, "22P02", "x", ""},
		{context.Background(), &duckdb.Error{Type: duckdb.ErrorTypePermission, Msg: "Permission Error: x"}, "42501", "x", ""},
		{context.Background(), &duckdb.Error{Type: duckdb.ErrorTypeOutOfMemory, Msg: "Out of Memory Error: x"}, "53200", "x", ""},
		{context.Background(), &duckdb.Error{Type: duckdb.ErrorTypeInterrupt, Msg: "INTERRUPT Error: Interrupted!"}, "57014", "Interrupted!", ""},
		{context.Background(), &duckdb.Error{Type: duckdb.ErrorTypeParser, Msg: "Parser Error: syntax error at or near \"x\""}, "42601", `syntax error at or near "x"`, ""},
		{context.Background(), &duckdb.Error{Type: duckdb.ErrorTypeFatal, Msg: "FATAL Error: x"}, "XX000", "x", ""},
		{canceled, errors.New("anything"), "57014", "canceling statement due to user request", ""},
		{context.Background(), context.DeadlineExceeded, "57014", "canceling statement due to user request", ""},
		{context.Background(), sqlstate.New("25006", "kept"), "25006", "kept", ""},
		{context.Background(), errors.New("boom"), "XX000", "engine: boom", ""},
	}
	for _, tt := range tests {
		var se *sqlstate.Error
		require.ErrorAs(t, mapError(tt.ctx, tt.err), &se, tt.err.Error())
		require.Equal(t, tt.code, se.Code, tt.err.Error())
		require.Equal(t, tt.msg, se.Message, tt.err.Error())
		require.Equal(t, tt.hint, se.Hint, tt.err.Error())
	}
}

func TestColumnName(t *testing.T) {
	tests := map[string]string{
		`memory.fhirlake_pg."version"()`: "version",
		"count_star()":                   "count",
		"sum(x)":                         "sum",
		"f(a) + g(b)":                    "f(a) + g(b)",
		"(1 + 1)":                        "(1 + 1)",
		"total":                          "total",
		"current_database()":             "current_database",
	}
	for in, want := range tests {
		require.Equal(t, want, columnName(in), in)
	}
}

func TestTextForms(t *testing.T) {
	tests := []struct{ got, want string }{
		{floatText(1e6, 64), "1000000"},
		{floatText(1e15, 64), "1e+15"},
		{floatText(0.0001, 64), "0.0001"},
		{floatText(0.00001, 64), "1e-05"},
		{floatText(math.Inf(-1), 64), "-Infinity"},
		{floatText(float64(float32(1.1)), 32), "1.1"},
		{decimalText(duckdb.Decimal{Scale: 3, Value: big.NewInt(-5)}), "-0.005"},
		{decimalText(duckdb.Decimal{Scale: 0, Value: big.NewInt(12)}), "12"},
		{intervalText(duckdb.Interval{}), "00:00:00"},
		{intervalText(duckdb.Interval{Months: -14, Micros: -3_600_000_001}), "-1 years -2 mons -01:00:00.000001"},
		{arrayText([]any{"a,b", `x\y`, "{", " "}, oidText), `{"a,b","x\\y","{"," "}`},
		{arrayText([]any{}, oidInt4), "{}"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.got)
	}
}

func TestResolveType(t *testing.T) {
	tests := []struct {
		name string
		want colType
	}{
		{"DECIMAL(10,2)", colType{OID: oidNumeric, Size: -1, Mod: 10<<16 | 2 + 4}},
		{"BIGINT", colType{OID: oidInt8, Size: 8, Mod: -1}},
		{"INTEGER[3]", colType{OID: 1007, Size: -1, Mod: -1, Kind: kindList, Scalar: oidInt4}},
		{"STRUCT(a INTEGER[])[]", colType{OID: 1009, Size: -1, Mod: -1, Kind: kindList, Scalar: oidText}},
		{"MAP(VARCHAR, INTEGER)", colType{OID: oidText, Size: -1, Mod: -1, Kind: kindNested}},
		{"ENUM", colType{OID: oidText, Size: -1, Mod: -1}},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, resolveType(tt.name), tt.name)
	}
}
