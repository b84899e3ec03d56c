package bench

import (
	"math/big"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"
)

func TestCanonicalize(t *testing.T) {
	num := pgtype.Numeric{}
	require.NoError(t, num.Scan("13.25"))
	tests := []struct {
		name    string
		rows    [][]any
		want    []string
		wantErr string
	}{
		{"sorted, ints exact", [][]any{{"b", int64(2)}, {"a", int32(12345678)}}, []string{`"a"|12345678`, `"b"|2`}, ""},
		{"floats in full", [][]any{{6.8642857142857142}, {float32(0.5)}}, []string{"0.5", "6.864285714285714"}, ""},
		{"integral float as int", [][]any{{20.0}, {big.NewInt(7)}}, []string{"20", "7"}, ""},
		{"numeric", [][]any{{num}}, []string{"13.25"}, ""},
		{"sort ignores the last bits of floats", [][]any{{7.215625000000001, "b"}, {7.215624999999999, "a"}}, []string{`7.215624999999999|"a"`, `7.215625000000001|"b"`}, ""},
		{"null, bool, time", [][]any{{nil, true, time.Date(2026, 1, 1, 1, 0, 0, 0, time.FixedZone("x", 3600))}}, []string{"NULL|true|2026-01-01T00:00:00Z"}, ""},
		{"unknown type", [][]any{{struct{}{}}}, nil, "row 1 column 1: no canonical form"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Canonicalize(tc.rows)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			var s []string
			for _, r := range got {
				s = append(s, r.String())
			}
			require.Equal(t, tc.want, s)
		})
	}
}

func TestAnswerDiff(t *testing.T) {
	canon := func(rows ...[]any) Answer {
		a, err := Canonicalize(rows)
		require.NoError(t, err)
		return a
	}
	tests := []struct {
		name string
		a, b Answer
		want string
	}{
		{"equal", canon([]any{"a", int64(1)}), canon([]any{"a", int64(1)}), ""},
		{"order does not matter", canon([]any{"a"}, []any{"b"}), canon([]any{"b"}, []any{"a"}), ""},
		{"float within tolerance (ties of 6-digit rounding)", canon([]any{"x", 7.2156249999999}), canon([]any{"x", 7.2156250000001}), ""},
		{"int equals integral float", canon([]any{int64(20)}), canon([]any{20.0}), ""},
		{"float beyond tolerance", canon([]any{"x", 7.2156}), canon([]any{"x", 7.2157}), `1 rows; sorted row 1 differs: "x"|7.2156 vs "x"|7.2157`},
		{"ints exactly", canon([]any{int64(10)}), canon([]any{int64(11)}), "1 rows; sorted row 1 differs: 10 vs 11"},
		{"text", canon([]any{"a"}), canon([]any{"c"}), `1 rows; sorted row 1 differs: "a" vs "c"`},
		{"row count", canon([]any{"a"}), canon([]any{"a"}, []any{"a"}), "1 vs 2 rows"},
		{"null is not zero", canon([]any{nil}), canon([]any{int64(0)}), "1 rows; sorted row 1 differs: NULL vs 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.a.Diff(tc.b))
		})
	}
}

func TestLoadQueries(t *testing.T) {
	qs, err := Queries()
	require.NoError(t, err)
	require.Len(t, qs, 12, "issue 3 asks for 12 analytics queries")
	for _, q := range qs {
		require.NotEmpty(t, q.SQL, q.Name)
		require.NotEmpty(t, q.PGSQL, q.Name)
	}
	_, err = loadQueries(fstest.MapFS{"q/a.sql": {Data: []byte("x")}, "q/pg/b.sql": {Data: []byte("y")}}, "q")
	require.ErrorContains(t, err, "a has no PostgreSQL equivalent")
	_, err = loadQueries(fstest.MapFS{"q/a.sql": {Data: []byte("x")}}, "q")
	require.ErrorContains(t, err, "1 view queries but 0 PostgreSQL")
}
