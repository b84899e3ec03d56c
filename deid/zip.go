package deid

// restrictedZIP3 are the three-digit ZIP prefixes whose area held 20,000
// people or fewer in the 2000 Census, which Safe Harbor requires to be
// written 000 (HHS guidance on de-identification, 2012, citing 67 FR
// 53182). HHS notes the list must follow newer census data when
// published.
var restrictedZIP3 = map[string]bool{
	"036": true, "059": true, "063": true, "102": true, "203": true, "556": true,
	"692": true, "790": true, "821": true, "823": true, "830": true, "831": true,
	"878": true, "879": true, "884": true, "890": true, "893": true,
}

// zip3 generalises a US ZIP code (12345 or 12345-6789) to its first three
// digits, or 000 for a restricted prefix. Anything else (a foreign postal
// code, a malformed ZIP) is removed: ok is false.
func zip3(s string) (string, bool) {
	if !(len(s) == 5 && allDigits(s)) && !(len(s) == 10 && allDigits(s[:5]) && s[5] == '-' && allDigits(s[6:])) {
		return "", false
	}
	if restrictedZIP3[s[:3]] {
		return "000", true
	}
	return s[:3], true
}
