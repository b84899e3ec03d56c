package wire

import (
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"
)

func TestParamLiteral(t *testing.T) {
	tests := []struct {
		name     string
		oid      uint32
		format   int16
		value    []byte
		want     string
		wantCode string
	}{
		{"NULL untyped", 0, 0, nil, "NULL", ""},
		{"NULL typed", pgtype.Int8OID, 0, nil, "(NULL::int8)", ""},
		{"unknown type string", 0, 0, []byte("it's"), "'it''s'", ""},
		{"text stays untyped", pgtype.TextOID, 0, []byte(`a\b`), `'a\b'`, ""},
		{"varchar stays untyped", pgtype.VarcharOID, 0, []byte("x"), "'x'", ""},
		{"int8", pgtype.Int8OID, 0, []byte(" 42 "), "(42::int8)", ""},
		{"negative int4", pgtype.Int4OID, 0, []byte("-5"), "((-5)::int4)", ""},
		{"bad int", pgtype.Int4OID, 0, []byte("1; DROP TABLE x"), "", "22P02"},
		{"float8", pgtype.Float8OID, 0, []byte("1.5e3"), "(1500::float8)", ""},
		{"float8 NaN", pgtype.Float8OID, 0, []byte("NaN"), "('NaN'::float8)", ""},
		{"float4 -Infinity", pgtype.Float4OID, 0, []byte("-Infinity"), "('-Infinity'::float4)", ""},
		{"bad float", pgtype.Float8OID, 0, []byte("1e"), "", "22P02"},
		{"numeric bare", pgtype.NumericOID, 0, []byte("12345678901234567890.123456789"), "12345678901234567890.123456789", ""},
		{"negative numeric", pgtype.NumericOID, 0, []byte("-1.5E-3"), "(-1.5E-3)", ""},
		{"numeric NaN", pgtype.NumericOID, 0, []byte("NaN"), "('NaN'::numeric)", ""},
		{"bad numeric", pgtype.NumericOID, 0, []byte("1.2.3"), "", "22P02"},
		{"bool yes", pgtype.BoolOID, 0, []byte("yes"), "TRUE", ""},
		{"bool f", pgtype.BoolOID, 0, []byte("f"), "FALSE", ""},
		{"bool ambiguous o", pgtype.BoolOID, 0, []byte("o"), "", "22P02"},
		{"date cast", pgtype.DateOID, 0, []byte("2024-01-02"), "('2024-01-02'::date)", ""},
		{"timestamptz cast", pgtype.TimestamptzOID, 0, []byte("2024-01-02 03:04:05+00"), "('2024-01-02 03:04:05+00'::timestamptz)", ""},
		{"array untyped", pgtype.Int4ArrayOID, 0, []byte("{1,2}"), "'{1,2}'", ""},
		{"NUL byte refused", pgtype.TextOID, 0, []byte("a\x00b"), "", "22021"},
		{"invalid UTF-8 refused", pgtype.TextOID, 0, []byte{0xff}, "", "22021"},
		{"binary int8", pgtype.Int8OID, 1, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}, "((-2)::int8)", ""},
		{"binary bool", pgtype.BoolOID, 1, []byte{1}, "TRUE", ""},
		{"binary float8", pgtype.Float8OID, 1, []byte{0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, "(1.5::float8)", ""},
		{"binary text", pgtype.TextOID, 1, []byte("o'k"), "'o''k'", ""},
		{"binary date", pgtype.DateOID, 1, []byte{0, 0, 0, 1}, "('2000-01-02'::date)", ""},
		{"binary bytea", pgtype.ByteaOID, 1, []byte{0xca, 0xfe}, `('\xcafe'::bytea)`, ""},
		{"binary uuid", pgtype.UUIDOID, 1, append(make([]byte, 15), 1), "('00000000-0000-0000-0000-000000000001'::uuid)", ""},
		{"binary short int8", pgtype.Int8OID, 1, []byte{1}, "", "22P03"},
		{"binary unknown type", 0, 1, []byte{1}, "", "22P03"},
		{"bad format code", 0, 7, []byte{1}, "", "08P01"},
	}
	types := pgtype.NewMap()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := paramLiteral(types, 1, tt.oid, tt.format, tt.value)
			if tt.wantCode != "" {
				require.Error(t, err)
				require.Equal(t, tt.wantCode, errorResponse(err).Code)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
