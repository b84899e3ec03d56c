package search

import (
	"strconv"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// addNumber appends a number value: a JSON number, or a string holding a
// decimal (some elements are string-or-integer choices). A Range gives
// its low and high as separate values.
func addNumber(out *Values, code string, v fhirpath.Value) {
	n := v.N
	switch n.Kind {
	case fhirpath.KindNumber, fhirpath.KindString:
		if val, lo, hi, ok := DecimalRange(n.Str); ok {
			out.Numbers = append(out.Numbers, NumberValue{Param: code, Text: n.Str, Value: val, Low: lo, High: hi})
		}
	case fhirpath.KindObject:
		for _, end := range []string{"low", "high"} {
			if q := n.Get(end); q != nil {
				if t := q.Get("value"); t != nil && t.Kind == fhirpath.KindNumber {
					addNumber(out, code, fhirpath.Value{N: t})
				}
			}
		}
	}
}

// numberField reads the JSON number field name of n.
func numberField(n *fhirpath.Node, name string) (float64, bool) {
	f := n.Get(name)
	if f == nil || f.Kind != fhirpath.KindNumber {
		return 0, false
	}
	v, err := strconv.ParseFloat(f.Str, 64)
	return v, err == nil
}
