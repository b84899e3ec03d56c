package fhirpath

import (
	"math/big"
	"strings"
	"time"
)

// fnLowBoundary and fnHighBoundary implement the experimental
// lowBoundary()/highBoundary() for decimals, dates, dateTimes and times.
// The optional precision argument is accepted but only the default
// (the value's own precision, filled to the full precision) is used.
func fnLowBoundary(c callCtx) (Collection, error)  { return boundary(c, false) }
func fnHighBoundary(c callCtx) (Collection, error) { return boundary(c, true) }

func boundary(c callCtx, high bool) (Collection, error) {
	if len(c.focus) == 0 {
		return nil, nil
	}
	if len(c.focus) > 1 {
		return nil, errorf("%s() needs a single item", c.call.Name)
	}
	v := c.focus[0]
	if v.N.Kind == KindNumber {
		return decimalBoundary(v.N.Str, high), nil
	}
	if v.N.Kind != KindString {
		return nil, nil
	}
	s := v.N.Str
	typ := v.Type
	if typ == "" {
		typ = guessTemporal(s)
	}
	var out string
	var ok bool
	switch typ {
	case "date":
		out, ok = dateBoundary(s, high)
	case "dateTime", "instant":
		out, ok = dateTimeBoundary(s, high)
	case "time":
		out, ok = timeBoundary(s, high)
	}
	if !ok {
		return nil, nil
	}
	return Typed(&Node{Kind: KindString, Str: out}, typ), nil
}

func guessTemporal(s string) string {
	switch {
	case len(s) >= 5 && s[2] == ':':
		return "time"
	case strings.Contains(s, "T"):
		return "dateTime"
	}
	return "date"
}

// decimalBoundary widens a decimal by half a unit in its last digit.
func decimalBoundary(s string, high bool) Collection {
	if strings.ContainsAny(s, "eE") {
		return nil
	}
	digits := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		digits = len(s) - i - 1
	}
	n, ok := new(big.Int).SetString(strings.Replace(s, ".", "", 1)+"0", 10)
	if !ok {
		return nil
	}
	if high {
		n.Add(n, big.NewInt(5))
	} else {
		n.Sub(n, big.NewInt(5))
	}
	neg := n.Sign() < 0
	t := new(big.Int).Abs(n).String()
	scale := digits + 1
	for len(t) <= scale {
		t = "0" + t
	}
	t = t[:len(t)-scale] + "." + t[len(t)-scale:]
	if neg {
		t = "-" + t
	}
	return Number(t)
}

func dateBoundary(s string, high bool) (string, bool) {
	switch len(s) {
	case 4:
		if high {
			return s + "-12-31", true
		}
		return s + "-01-01", true
	case 7:
		if !high {
			return s + "-01", true
		}
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return "", false
		}
		return t.AddDate(0, 1, -1).Format("2006-01-02"), true
	case 10:
		return s, true
	}
	return "", false
}

func dateTimeBoundary(s string, high bool) (string, bool) {
	date, clock, hasTime := strings.Cut(s, "T")
	d, ok := dateBoundary(date, high)
	if !ok {
		return "", false
	}
	zone := ""
	if hasTime {
		if i := strings.IndexAny(clock, "Z+-"); i >= 0 {
			clock, zone = clock[:i], clock[i:]
		}
	}
	t, ok := timeBoundary(clock, high)
	if !ok {
		return "", false
	}
	if zone == "" {
		zone = "+14:00"
		if high {
			zone = "-12:00"
		}
	}
	return d + "T" + t + zone, true
}

// timeBoundary fills a partial hh[:mm[:ss[.fff]]] time to milliseconds.
func timeBoundary(s string, high bool) (string, bool) {
	fill := "00:00:00.000"
	if high {
		fill = "23:59:59.999"
	}
	switch {
	case s == "":
		return fill, true
	case len(s) == 2 || len(s) == 5 || len(s) == 8:
		if high {
			return s + ":59:59.999"[len(s)-2:], true
		}
		return s + fill[len(s):], true
	case len(s) > 9 && len(s) < 12 && s[8] == '.':
		return s + "000"[:12-len(s)], true
	case len(s) >= 12 && s[8] == '.':
		return s, true
	}
	return "", false
}
