package normalize

import (
	"strings"

	"github.com/fhirlake/fhirlake/fhir/r4"
)

// canonicalDate rewrites a date, dateTime or instant value (k) into its
// canonical FHIR form keeping exactly the precision it was given. It
// returns the value and true when the result is a valid value of kind k;
// otherwise it returns s and false and the value is left as it was.
//
// Accepted spellings: surrounding whitespace; one-digit months, days and
// hours (2020-3-5); "/" instead of "-" after a four-digit year
// (2020/03/05); the compact date 20200305; "t" or one space instead of
// "T"; hh:mm without seconds (seconds :00, because FHIR has no minute
// precision); "," before fractional seconds; zones "z", "±hh", "±hhmm",
// "±h:mm" and " UTC"/" GMT". A year-month stays a year-month and a time
// without a zone is not given one (FHIR requires a zone with a time, so
// such values are left for validation to report).
func canonicalDate(s string, k kind) (string, bool) {
	d, ok := parseDate(strings.TrimSpace(s))
	if !ok {
		return s, false
	}
	out := d.String()
	if !r4.ValidPrimitive(kindTypes[k], out) {
		return s, false
	}
	return out, true
}

// kindTypes are the FHIR types of the date kinds.
var kindTypes = map[kind]string{kindDate: "date", kindDateTime: "dateTime", kindInstant: "instant"}

// dateParts holds the parsed fields as canonical strings ("" when absent).
type dateParts struct {
	year, month, day     string
	hour, minute, second string
	frac                 string // digits after the decimal point
	zone                 string // "Z" or ±hh:mm
}

func (d dateParts) String() string {
	var b strings.Builder
	b.WriteString(d.year)
	for _, p := range []struct{ sep, v string }{{"-", d.month}, {"-", d.day}, {"T", d.hour}, {":", d.minute}, {":", d.second}} {
		if p.v == "" {
			break
		}
		b.WriteString(p.sep + p.v)
	}
	if d.frac != "" {
		b.WriteString("." + d.frac)
	}
	b.WriteString(d.zone)
	return b.String()
}

// parseDate reads the lenient forms listed at canonicalDate.
func parseDate(s string) (dateParts, bool) {
	var d dateParts
	if len(s) == 8 && digits(s) {
		d.year, d.month, d.day = s[:4], s[4:6], s[6:]
		return d, true
	}
	if len(s) < 4 || !digits(s[:4]) {
		return d, false
	}
	d.year, s = s[:4], s[4:]
	if s == "" {
		return d, true
	}
	sep := s[0]
	if sep != '-' && sep != '/' {
		return d, false
	}
	var ok bool
	if d.month, s, ok = number(s[1:], 2); !ok {
		return d, false
	}
	if s == "" {
		return d, true
	}
	if s[0] != sep {
		return d, false
	}
	if d.day, s, ok = number(s[1:], 2); !ok {
		return d, false
	}
	if s == "" {
		return d, true
	}
	if s[0] != 'T' && s[0] != 't' && s[0] != ' ' {
		return d, false
	}
	return parseTime(d, s[1:])
}

// parseTime reads h[h]:mm[:ss[.f+]] and an optional zone.
func parseTime(d dateParts, s string) (dateParts, bool) {
	var ok bool
	if d.hour, s, ok = number(s, 2); !ok || s == "" || s[0] != ':' {
		return d, false
	}
	if d.minute, s, ok = two(s[1:]); !ok {
		return d, false
	}
	d.second = "00"
	if s != "" && s[0] == ':' {
		if d.second, s, ok = two(s[1:]); !ok {
			return d, false
		}
		if s != "" && (s[0] == '.' || s[0] == ',') {
			n := 1
			for n < len(s) && s[n] >= '0' && s[n] <= '9' {
				n++
			}
			if n == 1 {
				return d, false
			}
			d.frac, s = s[1:n], s[n:]
		}
	}
	d.zone, ok = parseZone(s)
	return d, ok
}

// parseZone returns "" (no zone), "Z" or ±hh:mm.
func parseZone(s string) (string, bool) {
	switch strings.ToUpper(strings.TrimLeft(s, " ")) {
	case "":
		return "", s == ""
	case "Z", "UTC", "GMT":
		return "Z", true
	}
	if s[0] != '+' && s[0] != '-' {
		return "", false
	}
	var h, m string
	switch z := s[1:]; {
	case len(z) == 2 && digits(z):
		h, m = z, "00"
	case len(z) == 4 && digits(z):
		h, m = z[:2], z[2:]
	case len(z) == 5 && z[2] == ':' && digits(z[:2]) && digits(z[3:]):
		h, m = z[:2], z[3:]
	case len(z) == 4 && z[1] == ':' && digits(z[:1]) && digits(z[2:]):
		h, m = "0"+z[:1], z[2:]
	default:
		return "", false
	}
	return s[:1] + h + ":" + m, true
}

// number reads one to max digits, zero-padded to max, and the rest of s.
func number(s string, max int) (string, string, bool) {
	n := 0
	for n < len(s) && n < max && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 || n < len(s) && s[n] >= '0' && s[n] <= '9' {
		return "", s, false
	}
	return strings.Repeat("0", max-n) + s[:n], s[n:], true
}

// two reads exactly two digits and returns them and the rest of s.
func two(s string) (string, string, bool) {
	if len(s) < 2 || !digits(s[:2]) || len(s) > 2 && s[2] >= '0' && s[2] <= '9' {
		return "", s, false
	}
	return s[:2], s[2:], true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// canonicalShape reports whether b is already written the canonical way
// (YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss[.f+] with Z or
// ±hh:mm), so that canonicalDate could not change it. It is the
// allocation-free fast path for the common case.
func canonicalShape(b []byte) bool {
	const pat = "dddd-dd-ddTdd:dd:dd"
	n := len(b)
	if n != 4 && n != 7 && n != 10 && n < 20 {
		return false
	}
	for i := 0; i < n && i < len(pat); i++ {
		if c := b[i]; pat[i] == 'd' && (c < '0' || c > '9') || pat[i] != 'd' && c != pat[i] {
			return false
		}
	}
	if n <= 10 {
		return true
	}
	z := b[19:]
	if z[0] == '.' {
		i := 1
		for i < len(z) && z[i] >= '0' && z[i] <= '9' {
			i++
		}
		if i == 1 {
			return false
		}
		z = z[i:]
	}
	return string(z) == "Z" || len(z) == 6 && (z[0] == '+' || z[0] == '-') && z[3] == ':' &&
		digits(string(z[1:3])) && digits(string(z[4:6]))
}
