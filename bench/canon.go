package bench

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// FloatTolerance is the relative difference under which two floating-point
// results count as equal: systems sum in different orders, so the last bits
// of an average differ.
const FloatTolerance = 1e-9

// Value is one result cell in a system-independent form.
type Value struct {
	Text  string  // canonical text: NULL, integers exactly, quoted strings, UTC times, floats in full
	Float float64 // the number, when IsNum
	IsNum bool    // integer or floating-point
	Exact bool    // an integer: compared by Text, not within FloatTolerance
}

// Row is one result row.
type Row []Value

// Answer is a query result in canonical form with its rows sorted, so that
// answers from different systems compare row by row (Diff).
type Answer []Row

func (r Row) String() string {
	s := make([]string, len(r))
	for i, v := range r {
		s[i] = v.Text
	}
	return strings.Join(s, "|")
}

// sortKey renders the row with floating-point numbers cut to 4 significant
// digits, so that rows differing only in the last bits sort alike.
func (r Row) sortKey() string {
	s := make([]string, len(r))
	for i, v := range r {
		s[i] = v.Text
		if v.IsNum && !v.Exact {
			s[i] = strconv.FormatFloat(v.Float, 'g', 4, 64)
		}
	}
	return strings.Join(s, "\x00")
}

// Canonicalize turns result rows into an Answer: NULL as NULL, integers
// exactly, floating-point numbers as numbers (integral ones compare equal to
// integers), times in UTC RFC 3339, text quoted. Row order is discarded.
func Canonicalize(rows [][]any) (Answer, error) {
	out := make(Answer, len(rows))
	for i, r := range rows {
		row := make(Row, len(r))
		for j, v := range r {
			c, err := canonValue(v)
			if err != nil {
				return nil, fmt.Errorf("bench: row %d column %d: %w", i+1, j+1, err)
			}
			row[j] = c
		}
		out[i] = row
	}
	sort.SliceStable(out, func(i, j int) bool {
		ki, kj := out[i].sortKey(), out[j].sortKey()
		if ki != kj {
			return ki < kj
		}
		return out[i].String() < out[j].String()
	})
	return out, nil
}

func intValue(i int64) Value {
	return Value{Text: strconv.FormatInt(i, 10), Float: float64(i), IsNum: true, Exact: true}
}

func floatValue(f float64) Value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return intValue(int64(f))
	}
	return Value{Text: strconv.FormatFloat(f, 'g', -1, 64), Float: f, IsNum: true}
}

func canonValue(v any) (Value, error) {
	switch x := v.(type) {
	case nil:
		return Value{Text: "NULL"}, nil
	case string:
		return Value{Text: strconv.Quote(x)}, nil
	case []byte:
		return Value{Text: strconv.Quote(string(x))}, nil
	case bool:
		return Value{Text: strconv.FormatBool(x)}, nil
	case int:
		return intValue(int64(x)), nil
	case int8:
		return intValue(int64(x)), nil
	case int16:
		return intValue(int64(x)), nil
	case int32:
		return intValue(int64(x)), nil
	case int64:
		return intValue(x), nil
	case uint8:
		return intValue(int64(x)), nil
	case uint16:
		return intValue(int64(x)), nil
	case uint32:
		return intValue(int64(x)), nil
	case uint64:
		if x > math.MaxInt64 {
			return Value{Text: strconv.FormatUint(x, 10), Float: float64(x), IsNum: true, Exact: true}, nil
		}
		return intValue(int64(x)), nil
	case *big.Int:
		if x.IsInt64() {
			return intValue(x.Int64()), nil
		}
		f, _ := new(big.Float).SetInt(x).Float64()
		return Value{Text: x.String(), Float: f, IsNum: true, Exact: true}, nil
	case float32:
		return floatValue(float64(x)), nil
	case float64:
		return floatValue(x), nil
	case pgtype.Numeric:
		f, err := x.Float64Value()
		if err != nil {
			return Value{}, fmt.Errorf("numeric: %w", err)
		}
		if !f.Valid {
			return Value{Text: "NULL"}, nil
		}
		return floatValue(f.Float64), nil
	case time.Time:
		return Value{Text: x.UTC().Format(time.RFC3339Nano)}, nil
	default:
		return Value{}, fmt.Errorf("no canonical form for %T", v)
	}
}

// equal compares two cells: integers exactly, other numbers within
// FloatTolerance, everything else by text.
func (v Value) equal(w Value) bool {
	switch {
	case v.IsNum && w.IsNum && v.Exact && w.Exact:
		return v.Text == w.Text
	case v.IsNum && w.IsNum:
		d := math.Abs(v.Float - w.Float)
		return d <= FloatTolerance*math.Max(math.Abs(v.Float), math.Abs(w.Float))
	default:
		return v.Text == w.Text
	}
}

func (r Row) equal(s Row) bool {
	if len(r) != len(s) {
		return false
	}
	for i := range r {
		if !r[i].equal(s[i]) {
			return false
		}
	}
	return true
}

// Diff describes the first difference between a and b, or returns "" when
// they hold the same rows (floating-point numbers within FloatTolerance).
func (a Answer) Diff(b Answer) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d vs %d rows", len(a), len(b))
	}
	for i := range a {
		if !a[i].equal(b[i]) {
			return fmt.Sprintf("%d rows; sorted row %d differs: %s vs %s", len(a), i+1, a[i], b[i])
		}
	}
	return ""
}
