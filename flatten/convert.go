package flatten

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// parseDate parses a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD) into days
// since the Unix epoch; partial dates map to the first day of the period.
// A dateTime is accepted and truncated to its date.
func parseDate(s string) (int32, error) {
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10]
	}
	t, err := parseDatePart(s)
	if err != nil {
		return 0, err
	}
	return int32(t.Unix() / 86400), nil
}

// parseDatePart parses YYYY, YYYY-MM or YYYY-MM-DD as midnight UTC.
func parseDatePart(s string) (time.Time, error) {
	y, m, d := 0, 1, 1
	ok := false
	switch len(s) {
	case 4:
		y, ok = digits(s)
	case 7:
		if s[4] == '-' {
			var ok1, ok2 bool
			y, ok1 = digits(s[:4])
			m, ok2 = digits(s[5:7])
			ok = ok1 && ok2
		}
	case 10:
		if s[4] == '-' && s[7] == '-' {
			var ok1, ok2, ok3 bool
			y, ok1 = digits(s[:4])
			m, ok2 = digits(s[5:7])
			d, ok3 = digits(s[8:10])
			ok = ok1 && ok2 && ok3
		}
	}
	if !ok || m < 1 || m > 12 || d < 1 {
		return time.Time{}, fmt.Errorf("invalid date %q", s)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, fmt.Errorf("invalid date %q", s)
	}
	return t, nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// dateTimeLayouts are the time forms accepted after the date; a missing
// zone means UTC.
var dateTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
}

// parseDateTime parses a FHIR dateTime or instant into microseconds since
// the Unix epoch in UTC. Partial values (YYYY, YYYY-MM, YYYY-MM-DD) map to
// the start of the period.
func parseDateTime(s string) (int64, error) {
	if !strings.Contains(s, "T") {
		t, err := parseDatePart(s)
		if err != nil {
			return 0, fmt.Errorf("invalid dateTime %q", s)
		}
		return t.UnixMicro(), nil
	}
	if us, ok := fastDateTime(s); ok {
		return us, nil
	}
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMicro(), nil
		}
	}
	return 0, fmt.Errorf("invalid dateTime %q", s)
}

// fastDateTime parses the common YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|±hh:mm)
// form without time.Parse.
func fastDateTime(s string) (int64, bool) {
	if len(s) < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return 0, false
	}
	day, err := parseDatePart(s[:10])
	if err != nil {
		return 0, false
	}
	hh, ok1 := digits(s[11:13])
	mm, ok2 := digits(s[14:16])
	ss, ok3 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return 0, false
	}
	us := day.UnixMicro() + int64(hh*3600+mm*60+ss)*1e6
	rest := s[19:]
	if rest[0] == '.' {
		i := 1
		frac, scale := 0, 1000000
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			if scale > 1 {
				scale /= 10
				frac += int(rest[i]-'0') * scale
			}
		}
		if i == 1 {
			return 0, false
		}
		us += int64(frac)
		rest = rest[i:]
	}
	switch {
	case rest == "Z":
		return us, true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 14 || om > 59 {
			return 0, false
		}
		off := int64(oh*3600+om*60) * 1e6
		if rest[0] == '+' {
			return us - off, true
		}
		return us + off, true
	}
	return 0, false
}

// parseTime parses a FHIR time (hh:mm:ss with an optional fraction) into
// microseconds since midnight. Digits beyond the microsecond are dropped;
// the leap second 60 is rejected because a SQL time cannot hold it.
func parseTime(s string) (int64, error) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' {
		return 0, fmt.Errorf("invalid time %q", s)
	}
	hh, ok1 := digits(s[0:2])
	mm, ok2 := digits(s[3:5])
	ss, ok3 := digits(s[6:8])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return 0, fmt.Errorf("invalid time %q", s)
	}
	us := int64(hh*3600+mm*60+ss) * 1e6
	if len(s) == 8 {
		return us, nil
	}
	frac := s[8:]
	if frac[0] != '.' || len(frac) == 1 {
		return 0, fmt.Errorf("invalid time %q", s)
	}
	scale := int64(1e6)
	for i := 1; i < len(frac); i++ {
		if !isDigit(frac[i]) {
			return 0, fmt.Errorf("invalid time %q", s)
		}
		scale /= 10
		us += int64(frac[i]-'0') * scale
	}
	return us, nil
}

// decodeBase64 decodes a FHIR base64Binary, which may contain white space.
func decodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, " \t\n\r") {
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid base64Binary: %w", err)
	}
	return b, nil
}
