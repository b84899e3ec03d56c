package engine

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// text is a value in Postgres text form (numeric, uuid, interval, time,
// arrays ...); the wire server sends String as is.
type text string

func (t text) String() string { return string(t) }

// normalize turns a value scanned from DuckDB into one of the types the
// wire.Rows contract allows.
func normalize(v any, ct *colType) any {
	switch ct.Kind {
	case kindList:
		if l, ok := v.([]any); ok {
			return text(arrayText(l, ct.Scalar))
		}
	case kindNested:
		if v != nil {
			return jsonText(v)
		}
	}
	switch x := v.(type) {
	case nil, bool, int64, float64, string:
		return x
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return text(strconv.FormatUint(x, 10))
	case float32:
		return float64(x)
	case *big.Int:
		return text(x.String())
	case duckdb.Decimal:
		return text(decimalText(x))
	case duckdb.Interval:
		return text(intervalText(x))
	case time.Time:
		switch ct.OID {
		case oidTime:
			return text(x.Format("15:04:05.999999"))
		case oidTimeTZ:
			return text(x.Format("15:04:05.999999-07:00"))
		}
		return x
	case []byte:
		if ct.OID == oidUUID {
			return text(uuidText(x))
		}
		return x
	}
	if ct.OID == oidJSON {
		return jsonText(v)
	}
	return fmt.Sprint(v)
}

// arrayText renders a list in Postgres array text form, {1,"a b",NULL}.
func arrayText(l []any, scalar uint32) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		switch x := v.(type) {
		case nil:
			b.WriteString("NULL")
		case []any:
			b.WriteString(arrayText(x, scalar))
		default:
			b.WriteString(quoteArrayElem(elemText(x, scalar)))
		}
	}
	b.WriteByte('}')
	return b.String()
}

// elemText is the Postgres text form of one array element.
func elemText(v any, scalar uint32) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "t"
		}
		return "f"
	case float32:
		return floatText(float64(x), 32)
	case float64:
		return floatText(x, 64)
	case time.Time:
		switch scalar {
		case oidDate:
			return x.Format("2006-01-02")
		case oidTimestampTZ:
			return x.Format("2006-01-02 15:04:05.999999-07")
		}
		return x.Format("2006-01-02 15:04:05.999999")
	case []byte:
		if scalar == oidUUID {
			return uuidText(x)
		}
		return `\x` + hex.EncodeToString(x)
	case map[string]any, duckdb.OrderedMap, duckdb.Union:
		return string(jsonText(x))
	}
	ct := colType{OID: scalar}
	return fmt.Sprint(normalize(v, &ct))
}

// quoteArrayElem double-quotes an array element when Postgres would.
func quoteArrayElem(s string) string {
	if s != "" && !strings.EqualFold(s, "NULL") && !strings.ContainsAny(s, "{}\",\\ \t\n\r\v\f") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// floatText formats like Postgres float4/float8 output: shortest exact
// digits, exponent form below 1e-4 and from 1e15 (1e6 for float4).
func floatText(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	limit := 15
	if bits == 32 {
		limit = 6
	}
	e := strconv.FormatFloat(f, 'e', -1, bits)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= limit {
		return e
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// decimalText renders a DECIMAL with exactly its scale's digits.
func decimalText(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	digits := new(big.Int).Abs(d.Value).String()
	scale := int(d.Scale)
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if d.Value.Sign() < 0 {
		return "-" + digits
	}
	return digits
}

// intervalText renders an interval in Postgres' default style,
// "1 year 2 mons 3 days 04:05:06.5".
func intervalText(iv duckdb.Interval) string {
	var parts []string
	unit := func(n int64, one, many string) {
		if n == 0 {
			return
		}
		name := many
		if n == 1 {
			name = one
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, name))
	}
	unit(int64(iv.Months/12), "year", "years")
	unit(int64(iv.Months%12), "mon", "mons")
	unit(int64(iv.Days), "day", "days")
	if iv.Micros != 0 || len(parts) == 0 {
		parts = append(parts, clockText(iv.Micros))
	}
	return strings.Join(parts, " ")
}

func clockText(micros int64) string {
	sign := ""
	if micros < 0 {
		sign, micros = "-", -micros
	}
	sec := micros / 1e6
	s := fmt.Sprintf("%s%02d:%02d:%02d", sign, sec/3600, sec/60%60, sec%60)
	if frac := micros % 1e6; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
	}
	return s
}

func uuidText(b []byte) string {
	if len(b) != 16 {
		return hex.EncodeToString(b)
	}
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// jsonText renders a nested or JSON value as JSON text. Struct fields come
// out sorted by name (duckdb-go returns them as Go maps).
func jsonText(v any) text {
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		return text(fmt.Sprint(v))
	}
	return text(b)
}

// jsonable converts duckdb-go values that encoding/json cannot render
// faithfully.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	case duckdb.OrderedMap:
		out := make(map[string]any, x.Len())
		keys, vals := x.Keys(), x.Values()
		for i := range keys {
			out[fmt.Sprint(keys[i])] = jsonable(vals[i])
		}
		return out
	case duckdb.Union:
		return map[string]any{x.Tag: jsonable(x.Value)}
	case duckdb.Decimal:
		return json.Number(decimalText(x))
	case *big.Int:
		return json.Number(x.String())
	case duckdb.Interval:
		return intervalText(x)
	case []byte:
		if len(x) == 16 {
			return uuidText(x)
		}
		return `\x` + hex.EncodeToString(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return floatText(x, 64)
		}
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return floatText(float64(x), 32)
		}
	}
	return v
}
