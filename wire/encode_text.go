package wire

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// textFormat formats values in the Postgres text output format. Its fields
// are the session settings that change the output.
type textFormat struct {
	loc              *time.Location // TimeZone, for timestamptz; nil means UTC
	extraFloatDigits int            // extra_float_digits: >0 means shortest round-trip
}

// appendText appends the text form of v, a non-nil value of a column of
// type oid, to dst. The Go type of v decides the encoding; the OID picks
// among forms (float4 or float8, date or timestamp, bytea or text...).
func (f textFormat) appendText(dst []byte, oid uint32, v any) ([]byte, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return append(dst, 't'), nil
		}
		return append(dst, 'f'), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case float64:
		return f.appendFloat(dst, oid, x), nil
	case float32:
		return f.appendFloat(dst, oid, float64(x)), nil
	case string:
		if oid == pgtype.ByteaOID {
			return appendByteaHex(dst, []byte(x)), nil
		}
		return append(dst, x...), nil
	case []byte:
		if isTextLike(oid) {
			return append(dst, x...), nil
		}
		return appendByteaHex(dst, x), nil
	case time.Time:
		return f.appendTime(dst, oid, x), nil
	case fmt.Stringer:
		return append(dst, x.String()...), nil
	}
	return dst, fmt.Errorf("cannot encode Go type %T as Postgres type OID %d", v, oid)
}

// isTextLike reports whether the binary form of oid is its UTF-8 text.
func isTextLike(oid uint32) bool {
	switch oid {
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID,
		pgtype.UnknownOID, pgtype.JSONOID, pgtype.JSONBOID, pgtype.XMLOID:
		return true
	}
	return false
}

// appendFloat formats like Postgres 12+ float4out/float8out.
func (f textFormat) appendFloat(dst []byte, oid uint32, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(dst, "NaN"...)
	case math.IsInf(x, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(x, -1):
		return append(dst, "-Infinity"...)
	}
	switch oid {
	case pgtype.NumericOID:
		return strconv.AppendFloat(dst, x, 'f', -1, 64)
	case pgtype.Float4OID:
		return appendPgFloat(dst, x, 32, f.extraFloatDigits)
	}
	return appendPgFloat(dst, x, 64, f.extraFloatDigits)
}

// appendPgFloat formats a finite float. With extra_float_digits > 0 the
// output is the shortest string that round-trips, in exponent form when
// the decimal exponent is < -4 or >= 15 (6 for float4). Otherwise it is
// %g with 15 (6) + extra_float_digits significant digits.
func appendPgFloat(dst []byte, x float64, bits, extraDigits int) []byte {
	digits := 15
	if bits == 32 {
		digits = 6
		x = float64(float32(x))
	}
	if extraDigits <= 0 {
		return strconv.AppendFloat(dst, x, 'g', max(1, digits+extraDigits), bits)
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], x, 'e', -1, bits)
	exp := 0
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] == 'e' {
			exp, _ = strconv.Atoi(string(e[i+1:]))
			break
		}
	}
	if exp < -4 || exp >= digits {
		return append(dst, e...)
	}
	return strconv.AppendFloat(dst, x, 'f', -1, bits)
}

// appendByteaHex appends the bytea hex form \x0123.
func appendByteaHex(dst, b []byte) []byte {
	dst = append(dst, '\\', 'x')
	return hex.AppendEncode(dst, b)
}

// appendTime formats t as a date, time, timetz, timestamp or (default)
// timestamptz, rounded to microseconds like Postgres.
func (f textFormat) appendTime(dst []byte, oid uint32, t time.Time) []byte {
	t = t.Round(time.Microsecond)
	switch oid {
	case pgtype.DateOID:
		dst = appendDate(dst, t)
		return appendBC(dst, t)
	case pgtype.TimeOID:
		return appendClock(dst, t)
	case pgtype.TimetzOID:
		return appendOffset(appendClock(dst, t), t)
	case pgtype.TimestampOID:
		dst = appendClock(append(appendDate(dst, t), ' '), t)
		return appendBC(dst, t)
	}
	loc := f.loc
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	dst = appendClock(append(appendDate(dst, t), ' '), t)
	return appendBC(appendOffset(dst, t), t)
}

// appendDate appends YYYY-MM-DD; years before 1 AD count as BC (year 0 is
// 1 BC), with the " BC" suffix added by appendBC.
func appendDate(dst []byte, t time.Time) []byte {
	y := t.Year()
	if y <= 0 {
		y = 1 - y
	}
	dst = appendPadded(dst, y, 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, int(t.Month()), 2)
	dst = append(dst, '-')
	return appendPadded(dst, t.Day(), 2)
}

func appendBC(dst []byte, t time.Time) []byte {
	if t.Year() <= 0 {
		dst = append(dst, " BC"...)
	}
	return dst
}

// appendClock appends HH:MM:SS with up to six fractional digits, trailing
// zeros removed.
func appendClock(dst []byte, t time.Time) []byte {
	dst = appendPadded(dst, t.Hour(), 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, t.Minute(), 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, t.Second(), 2)
	us := t.Nanosecond() / 1000
	if us == 0 {
		return dst
	}
	width := 6
	for us%10 == 0 {
		us /= 10
		width--
	}
	dst = append(dst, '.')
	return appendPadded(dst, us, width)
}

// appendOffset appends the zone offset as +HH, +HH:MM or +HH:MM:SS.
func appendOffset(dst []byte, t time.Time) []byte {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	dst = append(dst, sign)
	dst = appendPadded(dst, off/3600, 2)
	if off%3600 != 0 {
		dst = append(dst, ':')
		dst = appendPadded(dst, off/60%60, 2)
		if off%60 != 0 {
			dst = append(dst, ':')
			dst = appendPadded(dst, off%60, 2)
		}
	}
	return dst
}

// appendPadded appends the non-negative n zero-padded to width digits.
func appendPadded(dst []byte, n, width int) []byte {
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}
