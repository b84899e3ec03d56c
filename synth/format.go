package synth

import (
	"math"
	"strconv"
	"time"
)

// Formatting helpers: FHIR date (YYYY-MM-DD), dateTime/instant (RFC 3339
// with "Z"), and small number helpers.

func fhirDate(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func fhirDateTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func itoa(n int) string { return strconv.Itoa(n) }

// pad formats n with leading zeros to width digits.
func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// round rounds v to the given number of decimals.
func round(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}

// yearsBetween returns the age in fractional years at t of someone born
// at birth.
func yearsBetween(birth, t time.Time) float64 {
	return t.Sub(birth).Hours() / (24 * 365.2425)
}

// addYears adds fractional years to t.
func addYears(t time.Time, years float64) time.Time {
	return t.Add(time.Duration(years * 365.2425 * 24 * float64(time.Hour)))
}

// earliest returns the earlier of two instants.
func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// latest returns the later of two instants.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
