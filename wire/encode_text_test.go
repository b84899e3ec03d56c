package wire

import (
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"
)

func TestAppendText(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	ts := time.Date(2024, 7, 1, 12, 30, 45, 120000000, time.UTC)
	def := textFormat{extraFloatDigits: 1}
	tests := []struct {
		name    string
		format  textFormat
		oid     uint32
		value   any
		want    string
		wantErr bool
	}{
		{"bool true", def, pgtype.BoolOID, true, "t", false},
		{"bool false", def, pgtype.BoolOID, false, "f", false},
		{"int8", def, pgtype.Int8OID, int64(math.MinInt64), "-9223372036854775808", false},
		{"int4 from int32", def, pgtype.Int4OID, int32(42), "42", false},
		{"int2 from int16", def, pgtype.Int2OID, int16(-7), "-7", false},
		{"float8 shortest", def, pgtype.Float8OID, 0.1, "0.1", false},
		{"float8 third", def, pgtype.Float8OID, 1.0 / 3, "0.3333333333333333", false},
		{"float8 integral", def, pgtype.Float8OID, 100.0, "100", false},
		{"float8 below 1e15 stays plain", def, pgtype.Float8OID, 123456789012345.0, "123456789012345", false},
		{"float8 1e15 uses exponent", def, pgtype.Float8OID, 1e15, "1e+15", false},
		{"float8 large", def, pgtype.Float8OID, 1.2345678901234568e+20, "1.2345678901234568e+20", false},
		{"float8 small", def, pgtype.Float8OID, 0.0001, "0.0001", false},
		{"float8 tiny uses exponent", def, pgtype.Float8OID, 0.00001, "1e-05", false},
		{"float8 negative zero", def, pgtype.Float8OID, math.Copysign(0, -1), "-0", false},
		{"float8 NaN", def, pgtype.Float8OID, math.NaN(), "NaN", false},
		{"float8 Infinity", def, pgtype.Float8OID, math.Inf(1), "Infinity", false},
		{"float8 -Infinity", def, pgtype.Float8OID, math.Inf(-1), "-Infinity", false},
		{"float8 extra_float_digits 0", textFormat{}, pgtype.Float8OID, 1.0 / 3, "0.333333333333333", false},
		{"float8 extra_float_digits -3", textFormat{extraFloatDigits: -3}, pgtype.Float8OID, 1234.56789012345, "1234.56789012", false},
		{"float4 shortest", def, pgtype.Float4OID, float64(float32(0.1)), "0.1", false},
		{"float4 from float32", def, pgtype.Float4OID, float32(1.5), "1.5", false},
		{"float4 exponent at 1e6", def, pgtype.Float4OID, 1234567.0, "1.234567e+06", false},
		{"float4 below 1e6 plain", def, pgtype.Float4OID, 100000.0, "100000", false},
		{"float4 -Infinity", def, pgtype.Float4OID, math.Inf(-1), "-Infinity", false},
		{"numeric from float", def, pgtype.NumericOID, 1e20, "100000000000000000000", false},
		{"numeric from Stringer", def, pgtype.NumericOID, stringer("1.50"), "1.50", false},
		{"text", def, pgtype.TextOID, "héllo\n", "héllo\n", false},
		{"varchar from bytes", def, pgtype.VarcharOID, []byte("abc"), "abc", false},
		{"json from bytes", def, pgtype.JSONOID, []byte(`{"a":1}`), `{"a":1}`, false},
		{"jsonb", def, pgtype.JSONBOID, `[1, "x"]`, `[1, "x"]`, false},
		{"bytea hex", def, pgtype.ByteaOID, []byte{0, 1, 0xab}, `\x0001ab`, false},
		{"bytea empty", def, pgtype.ByteaOID, []byte{}, `\x`, false},
		{"bytea from string", def, pgtype.ByteaOID, "AB", `\x4142`, false},
		{"bytes of unknown type are bytea", def, 0, []byte{0xff}, `\xff`, false},
		{"date", def, pgtype.DateOID, time.Date(2006, 1, 2, 0, 0, 0, 0, time.UTC), "2006-01-02", false},
		{"date year 1", def, pgtype.DateOID, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "0001-01-01", false},
		{"date BC", def, pgtype.DateOID, time.Date(0, 3, 4, 0, 0, 0, 0, time.UTC), "0001-03-04 BC", false},
		{"date after 9999", def, pgtype.DateOID, time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC), "12345-01-01", false},
		{"timestamp", def, pgtype.TimestampOID, ts, "2024-07-01 12:30:45.12", false},
		{"timestamp whole seconds", def, pgtype.TimestampOID, time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC), "2006-01-02 15:04:05", false},
		{"timestamp micro", def, pgtype.TimestampOID, time.Date(2006, 1, 2, 15, 4, 5, 999999000, time.UTC), "2006-01-02 15:04:05.999999", false},
		{"timestamp rounds nanoseconds", def, pgtype.TimestampOID, time.Date(2006, 1, 2, 15, 4, 5, 999999900, time.UTC), "2006-01-02 15:04:06", false},
		{"timestamp keeps wall clock", def, pgtype.TimestampOID, time.Date(2006, 1, 2, 15, 4, 5, 0, paris), "2006-01-02 15:04:05", false},
		{"timestamptz UTC", def, pgtype.TimestamptzOID, ts, "2024-07-01 12:30:45.12+00", false},
		{"timestamptz session zone", textFormat{loc: paris}, pgtype.TimestamptzOID, ts, "2024-07-01 14:30:45.12+02", false},
		{"timestamptz half-hour zone", textFormat{loc: time.FixedZone("", -(3*3600 + 30*60))}, pgtype.TimestamptzOID, ts, "2024-07-01 09:00:45.12-03:30", false},
		{"timestamptz BC", def, pgtype.TimestamptzOID, time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), "0002-01-01 00:00:00+00 BC", false},
		{"time", def, pgtype.TimeOID, time.Date(0, 1, 1, 23, 59, 59, 500000, time.UTC), "23:59:59.0005", false},
		{"timetz", def, pgtype.TimetzOID, time.Date(0, 1, 1, 1, 2, 3, 0, time.FixedZone("", 5*3600)), "01:02:03+05", false},
		{"uuid Stringer", def, pgtype.UUIDOID, stringer("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", false},
		{"array Stringer", def, pgtype.Int4ArrayOID, stringer("{1,2,NULL}"), "{1,2,NULL}", false},
		{"interval Stringer", def, pgtype.IntervalOID, stringer("1 day 02:00:00"), "1 day 02:00:00", false},
		{"unsupported Go type", def, pgtype.TextOID, struct{}{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.format.appendText([]byte("prefix:"), tt.oid, tt.value)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "prefix:"+tt.want, string(got))
		})
	}
}

func TestAppendBinary(t *testing.T) {
	f := binaryFormat{types: pgtype.NewMap(), text: textFormat{extraFloatDigits: 1}}
	tests := []struct {
		name    string
		oid     uint32
		value   any
		want    []byte
		wantErr bool
	}{
		{"int8", pgtype.Int8OID, int64(258), []byte{0, 0, 0, 0, 0, 0, 1, 2}, false},
		{"int4 from int64", pgtype.Int4OID, int64(-1), []byte{0xff, 0xff, 0xff, 0xff}, false},
		{"int2 from string", pgtype.Int2OID, "3", []byte{0, 3}, false},
		{"bool", pgtype.BoolOID, false, []byte{0}, false},
		{"float8", pgtype.Float8OID, 1.0, []byte{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}, false},
		{"float4 from float64", pgtype.Float4OID, 1.0, []byte{0x3f, 0x80, 0, 0}, false},
		{"text", pgtype.TextOID, "hé", []byte("hé"), false},
		{"text from Stringer", pgtype.VarcharOID, stringer("x"), []byte("x"), false},
		{"json", pgtype.JSONOID, `{"a":1}`, []byte(`{"a":1}`), false},
		{"jsonb adds version", pgtype.JSONBOID, `{}`, []byte("\x01{}"), false},
		{"bytea", pgtype.ByteaOID, []byte{1, 2}, []byte{1, 2}, false},
		{"date", pgtype.DateOID, time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC), []byte{0, 0, 0, 1}, false},
		{"timestamp", pgtype.TimestampOID, time.Date(2000, 1, 1, 0, 0, 1, 0, time.UTC), []byte{0, 0, 0, 0, 0, 0x0f, 0x42, 0x40}, false},
		{"time via text", pgtype.TimeOID, time.Date(0, 1, 1, 0, 0, 1, 0, time.UTC), []byte{0, 0, 0, 0, 0, 0x0f, 0x42, 0x40}, false},
		{"uuid from Stringer", pgtype.UUIDOID, stringer("00000000-0000-0000-0000-000000000001"), append(make([]byte, 15), 1), false},
		{"numeric from Stringer", pgtype.NumericOID, stringer("1"), []byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, false},
		{"int array from Stringer", pgtype.Int4ArrayOID, stringer("{7}"), []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7}, false},
		{"unknown type", 999999, stringer("x"), nil, true},
		{"bad numeric", pgtype.NumericOID, stringer("abc"), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.appendBinary(nil, tt.oid, tt.value)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
