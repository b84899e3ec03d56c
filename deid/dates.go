package deid

import (
	"strconv"
	"time"
)

// oldestAge is the age from which Safe Harbor aggregates ages into one
// "90 or older" category.
const oldestAge = 90

// dateParts splits a FHIR date, dateTime or instant into its date part
// (YYYY, YYYY-MM or YYYY-MM-DD) and the rest ("Thh:mm:ss+zz:zz" or "").
// ok is false when s does not start with a well-formed date.
func dateParts(s string) (date, rest string, ok bool) {
	if len(s) < 4 || !allDigits(s[:4]) {
		return "", "", false
	}
	n := 4
	if len(s) >= 7 && s[4] == '-' && allDigits(s[5:7]) {
		n = 7
		if len(s) >= 10 && s[7] == '-' && allDigits(s[8:10]) {
			n = 10
		}
	}
	date, rest = s[:n], s[n:]
	if rest != "" && (n != 10 || rest[0] != 'T') {
		return "", "", false
	}
	return date, rest, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// yearOf returns the year of a FHIR date, or "" if s is not one.
func yearOf(s string) string {
	if _, _, ok := dateParts(s); !ok {
		return ""
	}
	return s[:4]
}

// shiftDate moves a FHIR date, dateTime or instant by days, keeping its
// precision and its time of day and zone unchanged; results are clamped
// to the years 1 to 9999.
func shiftDate(s string, days int) (string, bool) {
	date, rest, ok := dateParts(s)
	if !ok {
		return "", false
	}
	y, _ := strconv.Atoi(date[:4])
	m, d := 1, 1
	if len(date) >= 7 {
		m, _ = strconv.Atoi(date[5:7])
	}
	if len(date) == 10 {
		d, _ = strconv.Atoi(date[8:10])
	}
	t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	switch {
	case t.Year() < 1:
		t = time.Date(1, time.January, 1, 12, 0, 0, 0, time.UTC)
	case t.Year() > 9999:
		t = time.Date(9999, time.December, 31, 12, 0, 0, 0, time.UTC)
	}
	out := t.Format("2006-01-02")[:len(date)]
	return out + rest, true
}

// birthAge returns the age in whole years at now of someone born on the
// FHIR date birth; a partial date counts as its earliest day, so the age
// is never understated.
func birthAge(birth string, now time.Time) (int, bool) {
	date, _, ok := dateParts(birth)
	if !ok {
		return 0, false
	}
	y, _ := strconv.Atoi(date[:4])
	m, d := 1, 1
	if len(date) >= 7 {
		m, _ = strconv.Atoi(date[5:7])
	}
	if len(date) == 10 {
		d, _ = strconv.Atoi(date[8:10])
	}
	age := now.Year() - y
	if now.Month() < time.Month(m) || (now.Month() == time.Month(m) && now.Day() < d) {
		age--
	}
	return age, true
}

// agedYear is the birth year given to everyone 90 or older at now: the
// latest year of birth of a 90-year-old, so a year-only age computed from
// it reads "90 or older" while revealing nothing more.
func agedYear(now time.Time) string {
	return strconv.Itoa(now.Year() - oldestAge)
}
