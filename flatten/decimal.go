package flatten

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// errDecimalRange is returned for a decimal that needs more than 38
// digits at scale 9.
var errDecimalRange = errors.New("decimal needs more than 38 digits of precision (at most 29 before the point)")

// parseDecimal parses the text of a FHIR decimal (a JSON number, so an
// exponent is allowed) into an integer scaled by 10^9, exactly. Digits
// beyond the ninth after the point are rounded half away from zero, as
// PostgreSQL's and DuckDB's casts to numeric(38,9) round. A value that
// does not fit in 38 digits is an error, never a wrong value.
func parseDecimal(s string) (decimal128.Num, error) {
	var arr [64]byte
	neg, digits, exp, ok := splitDecimal(s, arr[:0])
	if !ok {
		return decimal128.Num{}, fmt.Errorf("invalid decimal %q", s)
	}
	// value = digits × 10^exp; we want digits × 10^(exp+scale).
	shift := exp + decimalScale
	var up bool
	if shift < 0 {
		digits, up = roundHalfAway(digits, -shift)
		shift = 0
	}
	if len(digits) == 0 && !up {
		return decimal128.Num{}, nil
	}
	if len(digits)+shift > decimalPrecision {
		return decimal128.Num{}, fmt.Errorf("%q: %w", s, errDecimalRange)
	}
	n := decimal128.Num{}
	ten := decimal128.FromU64(10)
	for i := 0; i < len(digits); i++ {
		n = n.Mul(ten).Add(decimal128.FromU64(uint64(digits[i] - '0')))
	}
	if up {
		n = n.Add(decimal128.FromU64(1))
	}
	n = n.Mul(decimal128.GetScaleMultiplier(shift))
	if !n.FitsInPrecision(decimalPrecision) {
		return decimal128.Num{}, fmt.Errorf("%q: %w", s, errDecimalRange)
	}
	if neg {
		n = n.Negate()
	}
	return n, nil
}

// splitDecimal splits a JSON number into its sign, its significant digits
// without leading zeros (possibly empty for zero), appended to buf, and
// the power of ten they are multiplied by.
func splitDecimal(s string, buf []byte) (neg bool, digits []byte, exp int, ok bool) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	intDigits, fracDigits := 0, 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		buf = append(buf, s[i])
		intDigits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && isDigit(s[i]); i++ {
			buf = append(buf, s[i])
			fracDigits++
		}
		if fracDigits == 0 {
			return false, nil, 0, false
		}
	}
	if intDigits == 0 {
		return false, nil, 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return false, nil, 0, false
		}
		// Bound the exponent so the arithmetic below cannot overflow; a
		// number this long cannot bring such a power back into range.
		exp = max(min(e, 1<<40), -1<<40)
		i = len(s)
	}
	if i != len(s) {
		return false, nil, 0, false
	}
	j := 0
	for j < len(buf) && buf[j] == '0' {
		j++
	}
	return neg, buf[j:], exp - fracDigits, true
}

// roundHalfAway drops the last k digits of digits (a magnitude), rounding
// half away from zero; up reports whether the kept digits must be
// incremented by one.
func roundHalfAway(digits []byte, k int) (kept []byte, up bool) {
	if k > len(digits) {
		return nil, false // below half of the last kept unit
	}
	kept, dropped := digits[:len(digits)-k], digits[len(digits)-k:]
	return kept, dropped[0] >= '5'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
