package search

import (
	"strconv"
	"time"
)

// DateRange returns the inclusive range of instants a FHIR date, dateTime
// or instant covers, following its precision, at millisecond resolution:
// "2020" gives [2020-01-01T00:00:00.000Z, 2020-12-31T23:59:59.999Z] and
// "2020-03-04T10:00:00+01:00" gives [09:00:00.000Z, 09:00:00.999Z]. A
// value without a time zone is read as UTC. ok is false when s is not a
// date.
func DateRange(s string) (low, high time.Time, ok bool) {
	var p dateParts
	if !p.parse(s) {
		return time.Time{}, time.Time{}, false
	}
	low = time.Date(p.year, time.Month(p.month), p.day, p.hour, p.min, p.sec, p.nsec, time.UTC)
	next := low
	switch p.prec {
	case precYear:
		next = low.AddDate(1, 0, 0)
	case precMonth:
		next = low.AddDate(0, 1, 0)
	case precDay:
		next = low.AddDate(0, 0, 1)
	case precMinute:
		next = low.Add(time.Minute)
	case precSecond:
		next = low.Add(p.fracUnit)
	}
	low = low.Add(-p.offset)
	next = next.Add(-p.offset)
	// The arithmetic normalizes impossible dates such as 2020-02-31;
	// refuse them instead.
	if p.prec >= precDay && low.Add(p.offset).Day() != p.day {
		return time.Time{}, time.Time{}, false
	}
	low = low.Truncate(time.Millisecond)
	high = next.Add(-time.Millisecond).Truncate(time.Millisecond)
	if high.Before(low) {
		high = low
	}
	return low, high, true
}

type precision uint8

const (
	precYear precision = iota
	precMonth
	precDay
	precMinute
	precSecond
)

// dateParts are the fields of a parsed date or dateTime.
type dateParts struct {
	year, month, day, hour, min, sec, nsec int
	fracUnit                               time.Duration // the precision of the seconds
	offset                                 time.Duration
	prec                                   precision
}

// parse reads YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]]
// with an optional Z or ±hh:mm zone.
func (p *dateParts) parse(s string) bool {
	*p = dateParts{month: 1, day: 1, fracUnit: time.Second}
	var ok bool
	if p.year, ok = digits(s, 0, 4); !ok {
		return false
	}
	if len(s) == 4 {
		return true
	}
	if s[4] != '-' {
		return false
	}
	if p.month, ok = digits(s, 5, 2); !ok || p.month < 1 || p.month > 12 {
		return false
	}
	p.prec = precMonth
	if len(s) == 7 {
		return true
	}
	if s[7] != '-' {
		return false
	}
	if p.day, ok = digits(s, 8, 2); !ok || p.day < 1 || p.day > 31 {
		return false
	}
	p.prec = precDay
	if len(s) == 10 {
		return true
	}
	if s[10] != 'T' {
		return false
	}
	return p.parseTime(s[11:])
}

func (p *dateParts) parseTime(s string) bool {
	var ok bool
	if p.hour, ok = digits(s, 0, 2); !ok || p.hour > 23 || len(s) < 5 || s[2] != ':' {
		return false
	}
	if p.min, ok = digits(s, 3, 2); !ok || p.min > 59 {
		return false
	}
	p.prec = precMinute
	rest := s[5:]
	if len(rest) >= 3 && rest[0] == ':' {
		if p.sec, ok = digits(rest, 1, 2); !ok || p.sec > 60 {
			return false
		}
		p.prec = precSecond
		rest = rest[3:]
		if len(rest) > 1 && rest[0] == '.' {
			n := 1
			for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
				n++
			}
			if n == 1 {
				return false
			}
			p.nsec, p.fracUnit = fraction(rest[1:n])
			rest = rest[n:]
		}
	}
	if p.sec == 60 {
		p.sec = 59 // a leap second
	}
	return p.parseZone(rest)
}

func (p *dateParts) parseZone(s string) bool {
	switch {
	case s == "" || s == "Z":
		return true
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':':
		h, ok1 := digits(s, 1, 2)
		m, ok2 := digits(s, 4, 2)
		if !ok1 || !ok2 || h > 14 || m > 59 {
			return false
		}
		p.offset = time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
		if s[0] == '-' {
			p.offset = -p.offset
		}
		return true
	}
	return false
}

// fraction converts the digits after a decimal point to nanoseconds and
// the unit of their last digit (at least a nanosecond).
func fraction(ds string) (nsec int, unit time.Duration) {
	if len(ds) > 9 {
		ds = ds[:9]
	}
	v, _ := strconv.Atoi(ds)
	unit = time.Second
	for range len(ds) {
		unit /= 10
	}
	return v * int(unit), unit
}

// digits reads n decimal digits of s at i.
func digits(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
