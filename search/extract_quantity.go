package search

import (
	"math"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// ISO4217 is the system of Money currency codes.
const ISO4217 = "urn:iso:std:iso:4217"

// addQuantity appends a Quantity (or Age, Duration, ...), Money or Range.
func addQuantity(out *Values, code string, v fhirpath.Value) {
	n := v.N
	if n.Kind != fhirpath.KindObject {
		return
	}
	if v.Type == "Range" || n.Get("low") != nil || n.Get("high") != nil {
		addRange(out, code, n)
		return
	}
	q, ok := quantity(code, n)
	if ok {
		out.Quantities = append(out.Quantities, q)
	}
}

// quantity reads a Quantity or Money object; ok is false without a value.
func quantity(code string, n *fhirpath.Node) (QuantityValue, bool) {
	val := n.Get("value")
	if val == nil || val.Kind != fhirpath.KindNumber {
		return QuantityValue{}, false
	}
	v, lo, hi, ok := DecimalRange(val.Str)
	if !ok {
		return QuantityValue{}, false
	}
	q := QuantityValue{Param: code, Text: val.Str, Value: v, Low: lo, High: hi,
		Comparator: str(n, "comparator"), System: str(n, "system"), Code: str(n, "code"), Unit: str(n, "unit")}
	if cur := str(n, "currency"); cur != "" {
		q.System, q.Code = ISO4217, cur
	}
	switch q.Comparator {
	case "<", "<=":
		q.Low = math.Inf(-1)
	case ">", ">=":
		q.High = math.Inf(1)
	}
	canonicalize(&q)
	return q, true
}

// canonicalize fills the canonical fields of a UCUM quantity. A quantity
// without a system but with a code is taken as UCUM too; when the code is
// missing, the human-readable unit is tried.
func canonicalize(q *QuantityValue) {
	if q.System != UCUMSystem && q.System != "" {
		return
	}
	unit := q.Code
	if unit == "" && q.System == UCUMSystem {
		unit = q.Unit
	}
	c, ok := unitFor(unit)
	if !ok {
		return
	}
	q.CanonicalCode = c.canon
	q.CanonicalValue = q.Value*c.factor + c.offset
	q.CanonicalLow = q.Low*c.factor + c.offset
	q.CanonicalHigh = q.High*c.factor + c.offset
}

// addRange appends one value for a Range: Low and High are its bounds
// (infinite when absent) and Value is NaN. The units are those of the
// low bound, or else the high bound.
func addRange(out *Values, code string, n *fhirpath.Node) {
	lo, okLo := quantity(code, orEmpty(n.Get("low")))
	hi, okHi := quantity(code, orEmpty(n.Get("high")))
	if !okLo && !okHi {
		return
	}
	q := lo
	if !okLo {
		q = hi
	}
	q.Text, q.Value, q.Comparator = "", math.NaN(), ""
	q.Low, q.High = math.Inf(-1), math.Inf(1)
	if okLo {
		q.Low = lo.Value
	}
	if okHi {
		q.High = hi.Value
	}
	canonicalize(&q)
	if q.CanonicalCode != "" {
		q.CanonicalValue = math.NaN()
	}
	out.Quantities = append(out.Quantities, q)
}

var emptyNode = &fhirpath.Node{Kind: fhirpath.KindObject}

func orEmpty(n *fhirpath.Node) *fhirpath.Node {
	if n == nil {
		return emptyNode
	}
	return n
}
