package flatten

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "0", want: "0.000000000"},
		{in: "-0", want: "0.000000000"},
		{in: "0.1", want: "0.100000000"},
		{in: "1.25", want: "1.250000000"},
		{in: "-1.25", want: "-1.250000000"},
		{in: "42", want: "42.000000000"},
		{in: "1.0e2", want: "100.000000000"},
		{in: "1E-9", want: "0.000000001"},
		{in: "0e1000", want: "0.000000000"},
		{in: "0." + strings.Repeat("0", 1499) + "1e1500", want: "1.000000000"},
		{in: "1e-9223372036854775808", want: "0.000000000"},
		{in: "1e9223372036854775807", wantErr: "more than 38 digits"},
		{in: "5e-1000", want: "0.000000000"},
		{in: "0.00000000001", want: "0.000000000"},
		// Half away from zero at the ninth digit, as PostgreSQL and DuckDB.
		{in: "0.0000000005", want: "0.000000001"},
		{in: "0.0000000015", want: "0.000000002"},
		{in: "0.0000000025", want: "0.000000003"},
		{in: "0.00000000250001", want: "0.000000003"},
		{in: "-0.0000000035", want: "-0.000000004"},
		{in: "0.0000000024999", want: "0.000000002"},
		{in: "176.20203871060636", want: "176.202038711"},
		// 29 digits before the point fit, 30 do not.
		{in: "99999999999999999999999999999.999999999", want: "99999999999999999999999999999.999999999"},
		{in: "-99999999999999999999999999999.999999999", want: "-99999999999999999999999999999.999999999"},
		{in: "99999999999999999999999999999.9999999995", wantErr: "more than 38 digits"},
		{in: "100000000000000000000000000000", wantErr: "more than 38 digits"},
		{in: "1e29", wantErr: "more than 38 digits"},
		{in: "1e28", want: "10000000000000000000000000000.000000000"},
		{in: "0000000000000000000000000000000000000001.5", want: "1.500000000"},
		{in: "", wantErr: "invalid decimal"},
		{in: "-", wantErr: "invalid decimal"},
		{in: "1.", wantErr: "invalid decimal"},
		{in: ".5", wantErr: "invalid decimal"},
		{in: "1e", wantErr: "invalid decimal"},
		{in: "1x", wantErr: "invalid decimal"},
		{in: "NaN", wantErr: "invalid decimal"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			n, err := parseDecimal(tc.in)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, n.ToString(decimalScale))
		})
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{in: "00:00:00", want: 0},
		{in: "23:59:59", want: 86399e6},
		{in: "10:20:30.5", want: 37230500000},
		{in: "10:20:30.1234567", want: 37230123456},
		{in: "24:00:00", wantErr: true},
		{in: "12:00:60", wantErr: true},
		{in: "12:00", wantErr: true},
		{in: "12:00:00.", wantErr: true},
		{in: "12:00:00Z", wantErr: true},
		{in: "12:00:00.1x", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseTime(tc.in)
			if tc.wantErr {
				require.ErrorContains(t, err, "invalid time")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// FuzzParseDecimal checks parseDecimal against exact rational arithmetic:
// the result is the input × 10^9 rounded half away from zero, or a range error
// exactly when that does not fit in 38 digits.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "1.25", "-0.0000000025", "1e28", "99999999999999999999999999999.9999999995", "176.20203871060636"} {
		f.Add(s)
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseDecimal(s)
		if err != nil && !errors.Is(err, errDecimalRange) {
			return // not a number; the JSON decoder would not produce it
		}
		if i := strings.IndexAny(s, "eE"); len(s) > 200 || i >= 0 && len(s)-i > 4 {
			return // big.Rat would compute 10^exponent
		}
		r, ok := new(big.Rat).SetString(s)
		require.True(t, ok, "parseDecimal accepted %q", s)
		r.Mul(r, new(big.Rat).SetInt64(1e9))
		want := roundRatHalfAway(r)
		if err != nil {
			require.GreaterOrEqual(t, new(big.Int).Abs(want).Cmp(limit), 0, "%q: %v", s, err)
			return
		}
		require.Equal(t, want.String(), n.BigInt().String(), s)
	})
}

// roundRatHalfAway rounds r to the nearest integer, ties away from zero.
func roundRatHalfAway(r *big.Rat) *big.Int {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	if twice.Cmp(r.Denom()) >= 0 {
		if r.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}
