package engine

import (
	"context"
	"errors"
	"math"
	"math/big"
	"testing"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

func TestRewriteCompat(t *testing.T) {
	const s = "memory.fhirlake_pg."
	tests := []struct{ in, want string }{
		{"SELECT * FROM pg_catalog.pg_class c", "SELECT * FROM " + s + "pg_class c"},
		{"SELECT * FROM pg_class", "SELECT * FROM " + s + "pg_class"},
		{"SELECT pg_type FROM x, pg_attribute JOIN pg_type ON true", "SELECT pg_type FROM x, " + s + "pg_attribute JOIN " + s + "pg_type ON true"},
		{"WITH pg_type AS (SELECT 1) SELECT * FROM pg_type", "WITH pg_type AS (SELECT 1) SELECT * FROM pg_type"},
		{"SELECT version(), pg_catalog.version()", "SELECT " + s + "version(), " + s + "version()"},
		{"SELECT version FROM t", "SELECT version FROM t"},
		// SQL-syntax functions keep their syntax through a rewrite.
		{"SELECT extract(year FROM d), trim(both 'x' FROM s), version() FROM t",
			"SELECT extract ('year' FROM d), TRIM (BOTH 'x' FROM s), " + s + "version() FROM t"},
		{"SELECT current_user, session_user, current_schema, current_catalog, x.current_user FROM x",
			"SELECT " + s + `"current_user"(), ` + s + `"session_user"(), ` + s + `"current_schema"(), current_database(), x."current_user" FROM x`},
		{"SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(x)$' COLLATE pg_catalog.default",
			"SELECT c.relname FROM " + s + "pg_class c WHERE regexp_matches(c.relname, '^(x)$', 's')"},
		{"SELECT a ~ '^pg_', b !~ 'x''y', c ~* 'Q', d !~* 'r', e ~ f, ~5, g ~~ 'h', a OPERATOR(pg_catalog.=) b",
			"SELECT regexp_matches(a, '^pg_', 's'), NOT regexp_matches(b, 'x''y', 's'), regexp_matches(c, 'Q', 'is'), NOT regexp_matches(d, 'r', 'is'), regexp_matches(e, f, 's'), ~ 5, g ~~ 'h', a = b"},
		{"SELECT s FROM pg_catalog.generate_series(1, pg_catalog.array_upper(a, 1)) s, t", "SELECT s FROM generate_series(1, " + s + "array_upper(a, 1)) s(s), t"},
		{"SELECT * FROM pg_catalog.range(3) AS r JOIN pg_catalog.f(1) g(x) ON true, range(2) q", "SELECT * FROM range(3) r(r) JOIN f(1) g(x) ON true, range(2) q"},
		{"SELECT * FROM range(3) WHERE true", "SELECT * FROM range(3) WHERE true"},
		{"SELECT x::pg_catalog.regtype::pg_catalog.text, y::pg_catalog.oid, 'patient'::regclass, c.oid::regclass, 1.5::FLOAT",
			"SELECT " + s + "regtype_name(x)::text, y::bigint, " + s + "regclass_oid('patient'), " + s + "regclass_name(c.oid), (1.5)::double precision"},
		{"SELECT * FROM information_schema.columns WHERE table_name = 'patient'", "SELECT * FROM " + s + "information_schema_columns WHERE table_name = 'patient'"},
		// Nothing to change, or not Postgres: the text is kept as sent.
		{"SELECT 1.5::FLOAT, 'a'::text", "SELECT 1.5::FLOAT, 'a'::text"},
		{"SELECT [1, 2] FROM pg_class", "SELECT [1, 2] FROM pg_class"},
		{"FROM pg_class SELECT *", "FROM pg_class SELECT *"},
		{"SHOW TABLES", "SHOW TABLES"},
		{"SELECT 'pg_class', \"pg_class\" /* pg_class */ -- pg_class\nFROM x", "SELECT 'pg_class', \"pg_class\" /* pg_class */ -- pg_class\nFROM x"},
		{"SELECT 1 /* unterminated pg_class", "SELECT 1 /* unterminated pg_class"},
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

func TestCommentStatements(t *testing.T) {
	tests := []struct {
		name, def string
		want      []string
		wantErr   bool
	}{
		{"none", `{"select":[{"column":[{"name":"id","path":"id"}]}]}`, nil, false},
		{"view and nested columns, first description wins",
			`{"description":"It's a view","select":[{"column":[{"name":"id","description":"key"}],"select":[{"column":[{"name":"x","description":"ex"}]}],
			"unionAll":[{"column":[{"name":"x","description":"other"}]}]}]}`,
			[]string{`COMMENT ON VIEW "ds".main."v" IS 'It''s a view'`, `COMMENT ON COLUMN "ds".main."v"."id" IS 'key'`,
				`COMMENT ON COLUMN "ds".main."v"."x" IS 'ex'`}, false},
		{"not JSON", `{`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := commentStatements("ds", catalog.View{Name: "v", Definition: []byte(tt.def)})
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
