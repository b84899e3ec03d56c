package linkage

import (
	"strings"
	"unicode"
)

// foldName returns s upper-cased with Latin accents removed and every
// character that is not a letter dropped ("O'Brien-Núñez" → "OBRIENNUNEZ"),
// so that punctuation, spacing and accents do not count as differences.
func foldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unaccent(unicode.ToUpper(r))
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unaccent maps the accented upper-case Latin-1 letters to their base
// letter and returns other runes as they are.
func unaccent(r rune) rune {
	switch r {
	case 'À', 'Á', 'Â', 'Ã', 'Ä', 'Å':
		return 'A'
	case 'Ç':
		return 'C'
	case 'È', 'É', 'Ê', 'Ë':
		return 'E'
	case 'Ì', 'Í', 'Î', 'Ï':
		return 'I'
	case 'Ñ':
		return 'N'
	case 'Ò', 'Ó', 'Ô', 'Õ', 'Ö', 'Ø':
		return 'O'
	case 'Ù', 'Ú', 'Û', 'Ü':
		return 'U'
	case 'Ý':
		return 'Y'
	}
	return r
}

// streetAbbreviations are the USPS standard suffix abbreviations (USPS
// Publication 28, appendix C1) of the commonest street suffixes and
// directions.
var streetAbbreviations = map[string]string{
	"STREET": "ST", "AVENUE": "AVE", "AV": "AVE", "ROAD": "RD", "LANE": "LN", "DRIVE": "DR",
	"COURT": "CT", "BOULEVARD": "BLVD", "PLACE": "PL", "TERRACE": "TER", "HIGHWAY": "HWY",
	"PARKWAY": "PKWY", "CIRCLE": "CIR", "SQUARE": "SQ", "APARTMENT": "APT", "SUITE": "STE",
	"NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
}

// foldLine normalises an address line: upper case, accents removed,
// punctuation dropped, words separated by one space, and street suffixes
// abbreviated ("12 Oak Street." → "12 OAK ST").
func foldLine(s string) string {
	words := strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for i, w := range words {
		w = foldName(w) + digitsOf(w)
		if a, ok := streetAbbreviations[w]; ok {
			w = a
		}
		words[i] = w
	}
	return strings.Join(words, " ")
}

// digitsOf returns the ASCII digits of s, in order.
func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// foldPhone returns the last ten digits of a phone number, dropping
// punctuation and a leading country code; numbers of fewer than seven
// digits are missing ("").
func foldPhone(s string) string {
	d := digitsOf(s)
	if len(d) < 7 {
		return ""
	}
	if len(d) > 10 {
		d = d[len(d)-10:]
	}
	return d
}

// foldPostal returns the first five letters or digits of a postal code,
// upper-cased (a US ZIP+4 compares by its ZIP).
func foldPostal(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if b.Len() == 5 {
			break
		}
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldSex returns the gender code when it says male or female, else ""
// (other and unknown carry no evidence either way).
func foldSex(s string) string {
	switch s = strings.ToLower(strings.TrimSpace(s)); s {
	case "male", "female":
		return s
	}
	return ""
}
