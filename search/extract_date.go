package search

import (
	"time"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// addDate appends the date range of one item: a date, dateTime or instant
// string, a Period (open ends become MinTime/MaxTime), or a Timing (the
// span from its earliest event or bounds start to its latest event or
// bounds end).
func addDate(out *Values, code string, v fhirpath.Value) {
	n := v.N
	switch n.Kind {
	case fhirpath.KindString:
		if lo, hi, ok := DateRange(n.Str); ok {
			out.Dates = append(out.Dates, DateValue{Param: code, Low: lo, High: hi})
		}
	case fhirpath.KindObject:
		if v.Type == "Timing" || n.Get("event") != nil || n.Get("repeat") != nil {
			addTiming(out, code, n)
			return
		}
		if lo, hi, ok := periodRange(n); ok {
			out.Dates = append(out.Dates, DateValue{Param: code, Low: lo, High: hi})
		}
	}
}

// periodRange returns the range of a Period; ok is false when it has
// neither a valid start nor a valid end.
func periodRange(n *fhirpath.Node) (lo, hi time.Time, ok bool) {
	lo, _, okStart := DateRange(str(n, "start"))
	_, hi, okEnd := DateRange(str(n, "end"))
	if !okStart {
		lo = MinTime
	}
	if !okEnd {
		hi = MaxTime
	}
	return lo, hi, okStart || okEnd
}

func addTiming(out *Values, code string, n *fhirpath.Node) {
	lo, hi := MaxTime, MinTime
	found := false
	widen := func(l, h time.Time) {
		if l.Before(lo) {
			lo = l
		}
		if h.After(hi) {
			hi = h
		}
		found = true
	}
	if ev := n.Get("event"); ev != nil && ev.Kind == fhirpath.KindArray {
		for _, e := range ev.Items {
			if e.Kind != fhirpath.KindString {
				continue
			}
			if l, h, ok := DateRange(e.Str); ok {
				widen(l, h)
			}
		}
	}
	if r := n.Get("repeat"); r != nil {
		if b := r.Get("boundsPeriod"); b != nil {
			if l, h, ok := periodRange(b); ok {
				widen(l, h)
			}
		}
	}
	if found {
		out.Dates = append(out.Dates, DateValue{Param: code, Low: lo, High: hi})
	}
}
