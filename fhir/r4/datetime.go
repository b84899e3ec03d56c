package r4

// validDateTime checks the R4 date (mode 'd'), dateTime ('T') and instant
// ('i') formats: YYYY, YYYY-MM, YYYY-MM-DD, then for dateTime optionally
// and for instant always Thh:mm:ss(.f+)? with a zone (Z or ±hh:mm up to
// 14:00). Year 0000 is excluded and the day must exist in its month.
func validDateTime(s string, mode byte) bool {
	if len(s) < 4 || !isDigits(s[:4]) || s[:4] == "0000" {
		return false
	}
	year := atoi(s[:4])
	rest := s[4:]
	if rest == "" {
		return mode != 'i'
	}
	if len(rest) < 3 || rest[0] != '-' || !isDigits(rest[1:3]) {
		return false
	}
	month := atoi(rest[1:3])
	if month < 1 || month > 12 {
		return false
	}
	rest = rest[3:]
	if rest == "" {
		return mode != 'i'
	}
	if len(rest) < 3 || rest[0] != '-' || !isDigits(rest[1:3]) {
		return false
	}
	day := atoi(rest[1:3])
	if day < 1 || day > daysIn(year, month) {
		return false
	}
	rest = rest[3:]
	if rest == "" {
		return mode != 'i'
	}
	if mode == 'd' || rest[0] != 'T' {
		return false
	}
	t, zone := splitZone(rest[1:])
	return validTime(t) && validZone(zone)
}

// splitZone splits "hh:mm:ss.fffZ" into the time and the zone.
func splitZone(s string) (t, zone string) {
	for i := 0; i < len(s); i++ {
		if s[i] == 'Z' || s[i] == '+' || s[i] == '-' {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// validZone: Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00).
func validZone(z string) bool {
	if z == "Z" {
		return true
	}
	if len(z) != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':' || !isDigits(z[1:3]) || !isDigits(z[4:6]) {
		return false
	}
	h, m := atoi(z[1:3]), atoi(z[4:6])
	return h <= 13 && m <= 59 || h == 14 && m == 0
}

// validTime: ([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?.
func validTime(s string) bool {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' || !isDigits(s[:2]) || !isDigits(s[3:5]) || !isDigits(s[6:8]) {
		return false
	}
	if atoi(s[:2]) > 23 || atoi(s[3:5]) > 59 || atoi(s[6:8]) > 60 {
		return false
	}
	frac := s[8:]
	return frac == "" || frac[0] == '.' && isDigits(frac[1:])
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// atoi converts a short string of ASCII digits.
func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}
