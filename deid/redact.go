package deid

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// redactor removes identifying values from free text: names (a
// dictionary of common names, the resource's own name parts and cities,
// and capitalised words after a title or a "Patient:"-style label),
// dates (all but the year), ages over 89, phone, social security and
// other long numbers, e-mail, web and IP addresses, and street
// addresses. It is safe for concurrent use.
type redactor struct {
	names    map[string]bool // lower-case
	lastAged int             // years up to this one (from 1850) would reveal an age over 89
}

func newRedactor(now time.Time) *redactor {
	r := &redactor{names: make(map[string]bool, len(commonNames)), lastAged: now.Year() - oldestAge}
	for _, n := range commonNames {
		r.names[strings.ToLower(n)] = true
	}
	return r
}

// Placeholders written in place of what was removed.
const (
	phName    = "[NAME]"
	phDate    = "[DATE]"
	phNumber  = "[NUMBER]"
	phContact = "[CONTACT]"
	phAddress = "[ADDRESS]"
)

const monthNames = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`

// Each rule replaces its matches, in this order.
var (
	reEmail   = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	reURL     = regexp.MustCompile(`(?i)\b(?:https?|ftp)://[^\s<>"]+|\bwww\.[^\s<>"]+`)
	reIP      = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b|\b(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}\b`)
	reISODate = regexp.MustCompile(`\b(\d{4})-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\-]\d{2}:?\d{2})?)?`)
	reSlashDt = regexp.MustCompile(`\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b|\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])\b`)
	reWordDt  = regexp.MustCompile(`(?i)\b` + monthNames + `\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthNames + `\.?(?:,?\s+(\d{4}))?\b`)
	rePhone   = regexp.MustCompile(`(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.\-])\d{3}[\s.\-]\d{4}\b`)
	reSSN     = regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`)
	reAge     = regexp.MustCompile(`(?i)\b(\d{2,3})(\s*-?\s*(?:years?|yrs?)[\s\-]*old\b|\s*y/?o\b)`)
	reYear    = regexp.MustCompile(`\b1[89]\d\d\b`)
	reLongNum = regexp.MustCompile(`\b[A-Za-z]*\d[A-Za-z0-9\-]*\d[A-Za-z0-9\-]*\b`)
	reStreet  = regexp.MustCompile(`\b\d{1,6}\s+(?:[A-Z][a-z]+\s+){1,3}(?:St|Street|Ave|Avenue|Rd|Road|Dr|Drive|Ct|Court|Ln|Lane|Blvd|Boulevard|Way|Pl|Place|Ter|Terrace|Cir|Circle|Pkwy|Parkway|Hwy|Highway)\b\.?`)
	reTitled  = regexp.MustCompile(`\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Rev)\.?\s+[A-Z][A-Za-z'\-]*(?:[ \t]+[A-Z][A-Za-z'\-]*){0,2}`)
	reLabeled = regexp.MustCompile(`\b((?i:patient|name|clinician|provider|physician|nurse|author|signed by|seen by|attending|referred by|contact|mother|father|spouse|guardian))(\s*:?[ \t]*)([A-Z][A-Za-z'\-]*(?: [A-Z][A-Za-z'\-]*){0,3})`)
)

// patterns removes the pattern-based identifiers (dates, ages over 89,
// numbers, contacts, addresses) but not dictionary names; it is applied
// to every kept string that is not free text (CodeableConcept.text,
// Coding.display, ...). Strings without a digit or '@' are returned as
// they are, cheaply.
func (r *redactor) patterns(s string) string {
	if !strings.ContainsAny(s, "0123456789@") && !strings.Contains(s, "www.") {
		return s
	}
	if strings.IndexByte(s, '@') >= 0 {
		s = reEmail.ReplaceAllString(s, phContact)
	}
	if strings.Contains(s, "://") || strings.Contains(s, "www.") {
		s = reURL.ReplaceAllString(s, phContact)
	}
	if strings.Count(s, ".") >= 3 || strings.Count(s, ":") >= 3 {
		s = reIP.ReplaceAllString(s, phContact)
	}
	s = reISODate.ReplaceAllString(s, "$1")
	s = reWordDt.ReplaceAllStringFunc(s, yearOnly)
	s = reSlashDt.ReplaceAllString(s, phDate)
	s = rePhone.ReplaceAllString(s, phContact)
	s = reSSN.ReplaceAllString(s, phNumber)
	s = reStreet.ReplaceAllString(s, phAddress)
	s = reAge.ReplaceAllStringFunc(s, capAgeText)
	s = reYear.ReplaceAllStringFunc(s, r.agedYearText)
	return reLongNum.ReplaceAllStringFunc(s, longNumber)
}

// yearOnly keeps the year of a written date ("March 5, 2019" -> "2019").
func yearOnly(m string) string {
	if i := strings.LastIndexFunc(m, func(r rune) bool { return !unicode.IsDigit(r) }); i >= 0 && len(m)-i-1 == 4 {
		return m[i+1:]
	}
	return phDate
}

// agedYearText removes a year from 1850 to Now.Year-90: as a year of
// birth it would reveal an age over 89. Amounts such as "1900 mL" go too.
func (r *redactor) agedYearText(m string) string {
	if y, err := strconv.Atoi(m); err == nil && y >= 1850 && y <= r.lastAged {
		return phDate
	}
	return m
}

// capAgeText rewrites an age over 89 in text as "90+".
func capAgeText(m string) string {
	sub := reAge.FindStringSubmatch(m)
	if n, err := strconv.Atoi(sub[1]); err == nil && n >= oldestAge {
		return "90+" + sub[2]
	}
	return m
}

// longNumber removes tokens holding five digits or more (record, account,
// ZIP and licence numbers), keeping shorter measurements.
func longNumber(m string) string {
	digits := 0
	for i := 0; i < len(m); i++ {
		if m[i] >= '0' && m[i] <= '9' {
			digits++
		}
	}
	if digits >= 5 {
		return phNumber
	}
	return m
}

// redact removes everything patterns removes, plus names: the words of
// own (name parts and places of the resource), dictionary names, and
// capitalised words after a title (Dr., Mrs.) or a label (Patient:).
func (r *redactor) redact(s string, own []string) string {
	s = r.patterns(s)
	s = reTitled.ReplaceAllString(s, phName)
	s = reLabeled.ReplaceAllString(s, "${1}${2}"+phName)
	for _, o := range own {
		s = replaceWordFold(s, o, phName)
	}
	return r.dictionary(s)
}

// dictionary replaces every capitalised word found in the name
// dictionary.
func (r *redactor) dictionary(s string) string {
	var b strings.Builder
	start := -1
	flush := func(end int) {
		w := s[start:end]
		first, _ := utf8.DecodeRuneInString(w)
		if unicode.IsUpper(first) && r.names[strings.ToLower(w)] {
			b.WriteString(phName)
		} else {
			b.WriteString(w)
		}
		start = -1
	}
	for i, c := range s {
		if unicode.IsLetter(c) || c == '\'' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			flush(i)
		}
		b.WriteRune(c)
	}
	if start >= 0 {
		flush(len(s))
	}
	return b.String()
}

// replaceWordFold replaces whole-word, case-insensitive occurrences of
// each word of phrase in s.
func replaceWordFold(s, phrase, with string) string {
	for _, word := range strings.Fields(phrase) {
		if len(word) < 2 || allDigits(word) {
			continue
		}
		s = replaceOneWordFold(s, word, with)
	}
	return s
}

func replaceOneWordFold(s, word, with string) string {
	lw := strings.ToLower(word)
	ls := strings.ToLower(s)
	if len(ls) != len(s) || !strings.Contains(ls, lw) {
		return s // ToLower changed byte lengths: positions would not align
	}
	var b strings.Builder
	i := 0
	for {
		j := strings.Index(ls[i:], lw)
		if j < 0 {
			break
		}
		j += i
		end := j + len(lw)
		if isWordEdge(s, j-1) && isWordEdge(s, end) {
			b.WriteString(s[i:j])
			b.WriteString(with)
		} else {
			b.WriteString(s[i:end])
		}
		i = end
	}
	b.WriteString(s[i:])
	return b.String()
}

// isWordEdge reports whether byte i of s is outside a word (or outside s).
func isWordEdge(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	c := s[i]
	return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf)
}
