package csvmap

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// precision says which parts of a date or time a format carries.
type precision struct {
	month, day, clock, zone bool
}

// dateFormat parses cells of a date, dateTime or instant field.
type dateFormat struct {
	name   string         // as written in the mapping, for messages
	layout string         // Go layout; "" for FHIR's own formats
	prec   precision      // of layout
	loc    *time.Location // zone for formats without one
}

// formatTokens translates the readable format tokens into Go layout
// elements, longest first.
var formatTokens = []struct{ tok, layout string }{
	{"YYYY", "2006"}, {"YY", "06"},
	{"MMMM", "January"}, {"MMM", "Jan"}, {"MM", "01"}, {"M", "1"},
	{"DD", "02"}, {"D", "2"},
	{"HH", "15"}, {"hh", "03"}, {"h", "3"},
	{"mm", "04"}, {"ss", "05"},
	{"A", "PM"}, {"ZZ", "-0700"}, {"Z", "Z07:00"},
}

// namedLayouts are the formats known by name.
var namedLayouts = map[string]string{
	"RFC3339": time.RFC3339,
	"HL7":     "20060102150405",
}

// toLayout turns a format into a Go layout. A format containing "2006" is
// taken to be a Go layout already.
func toLayout(f string) string {
	if l, ok := namedLayouts[f]; ok {
		return l
	}
	if strings.Contains(f, "2006") {
		return f
	}
	var b strings.Builder
	for rest := f; rest != ""; {
		matched := false
		for _, t := range formatTokens {
			if strings.HasPrefix(rest, t.tok) {
				b.WriteString(t.layout)
				rest = rest[len(t.tok):]
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte(rest[0])
			rest = rest[1:]
		}
	}
	return b.String()
}

// probe is the time formatted and parsed back to learn a layout's
// precision; none of its fields equals a parse default.
var probe = time.Date(1999, 11, 22, 13, 44, 55, 0, time.FixedZone("", 3*3600+1800))

// newDateFormat compiles the format of a field of type typ. An empty
// format means FHIR's own representation. tz names the zone (IANA name,
// "UTC", or "+hh:mm") of formats with a time of day but no zone.
func newDateFormat(typ, format, tz string) (*dateFormat, error) {
	df := &dateFormat{name: format}
	if tz != "" {
		loc, err := loadZone(tz)
		if err != nil {
			return nil, err
		}
		df.loc = loc
	}
	if format == "" {
		df.name = "YYYY-MM-DD (FHIR)"
		if typ != typeDate {
			df.name = "YYYY-MM-DDThh:mm:ss+zz:zz (FHIR)"
		}
		return df, nil
	}
	df.layout = toLayout(format)
	got, err := time.Parse(df.layout, probe.Format(df.layout))
	if err != nil || got.Year() != probe.Year() {
		return nil, fmt.Errorf("format %q has no usable year", format)
	}
	_, off := got.Zone()
	df.prec = precision{
		month: got.Month() == probe.Month(),
		day:   got.Day() == probe.Day(),
		clock: got.Hour() == probe.Hour() && got.Minute() == probe.Minute(),
		zone:  off == 3*3600+1800,
	}
	if (df.prec.day && !df.prec.month) || (df.prec.clock && !df.prec.day) || got.Hour() != 0 && !df.prec.clock {
		return nil, fmt.Errorf("format %q is ambiguous or incomplete (use YYYY MM DD HH hh A mm ss Z, or a Go layout)", format)
	}
	if typ == typeInstant && !df.prec.clock {
		return nil, fmt.Errorf("format %q: an instant needs a time of day", format)
	}
	if typ != typeDate && df.prec.clock && !df.prec.zone && df.loc == nil {
		return nil, fmt.Errorf("format %q has a time of day but no zone: set timezone", format)
	}
	return df, nil
}

// loadZone resolves a timezone setting.
func loadZone(tz string) (*time.Location, error) {
	if len(tz) == 6 && (tz[0] == '+' || tz[0] == '-') {
		t, err := time.Parse("-07:00", tz)
		if err == nil {
			_, off := t.Zone()
			return time.FixedZone(tz, off), nil
		}
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" || tz == "Local" {
		return nil, fmt.Errorf("timezone %q is not an IANA zone name, UTC or +hh:mm", tz)
	}
	return loc, nil
}

// convert parses cell and writes it in FHIR form for typ.
func (df *dateFormat) convert(typ, cell string) ([]byte, error) {
	var out string
	var ok bool
	if df.layout == "" {
		out, ok = fhirDate(typ, cell)
	} else {
		out, ok = df.reformat(typ, cell)
	}
	if !ok {
		what := "a date"
		switch typ {
		case typeDateTime:
			what = "a dateTime"
		case typeInstant:
			what = "an instant"
		}
		return nil, fmt.Errorf("%q is not %s in format %s", cell, what, df.name)
	}
	return jsonString(out), nil
}

// reformat parses cell with the layout and writes it at the layout's
// precision (dates are cut to the day for type date).
func (df *dateFormat) reformat(typ, cell string) (string, bool) {
	loc := df.loc
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation(df.layout, cell, loc)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return "", false
	}
	p := df.prec
	switch {
	case !p.month:
		return t.Format("2006"), typ != typeInstant
	case !p.day:
		return t.Format("2006-01"), typ != typeInstant
	case !p.clock || typ == typeDate:
		return t.Format("2006-01-02"), true
	}
	return t.Format("2006-01-02T15:04:05.999999999Z07:00"), true
}

// fhirLayouts are the accepted forms of FHIR date, dateTime and instant.
var fhirLayouts = []struct {
	layout string
	types  []string // the types that accept the layout
}{
	{"2006", []string{typeDate, typeDateTime}},
	{"2006-01", []string{typeDate, typeDateTime}},
	{"2006-01-02", []string{typeDate, typeDateTime}},
	{"2006-01-02T15:04:05Z07:00", []string{typeDateTime, typeInstant}},
}

// fhirDate checks a cell already written in FHIR's format.
func fhirDate(typ, cell string) (string, bool) {
	for _, l := range fhirLayouts {
		if !slices.Contains(l.types, typ) {
			continue
		}
		t, err := time.Parse(l.layout, cell)
		if err == nil && t.Year() >= 1 && strings.IndexByte(cell, ' ') < 0 {
			return cell, true
		}
	}
	return "", false
}
