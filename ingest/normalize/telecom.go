package normalize

import "strings"

// canonicalPhone rewrites a phone, fax or sms number. Only values made of
// digits, one optional leading "+" and the formatting characters space,
// "-", ".", "(", ")" and "/" are touched; anything else (letters, "ext",
// "#", vanity numbers) is left as written.
//
//   - "+" followed by a country code: "+" and the digits (E.164), e.g.
//     "+1 (555) 123-4567" -> "+15551234567".
//   - National numbers, with Options.CallingCode set: the national trunk
//     prefix (Options.TrunkPrefix) is dropped and "+<calling code>" added,
//     when at least 6 digits remain (short codes like 911 keep their
//     digits only).
//   - National numbers without Options.CallingCode: the digits only; no
//     country code is invented.
func canonicalPhone(o *Options, s string) string {
	t := strings.TrimSpace(s)
	plus := strings.HasPrefix(t, "+")
	if plus {
		t = t[1:]
	}
	var b strings.Builder
	b.Grow(len(t) + 4)
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return s
		}
	}
	d := b.String()
	switch {
	case d == "":
		return s
	case plus:
		return "+" + d
	case o.CallingCode == "":
		return d
	}
	national := d
	if o.TrunkPrefix != "" {
		national = strings.TrimPrefix(d, o.TrunkPrefix)
	}
	if len(national) < 6 {
		return d
	}
	return "+" + o.CallingCode + national
}

// canonicalEmail trims an email address, drops "mailto:" prefixes and
// lower-cases the domain (after the last "@"); the local part keeps its
// case, which RFC 5321 makes significant. Nothing is rejected.
func canonicalEmail(s string) string {
	t := strings.TrimSpace(s)
	for len(t) >= 7 && strings.EqualFold(t[:7], "mailto:") {
		t = strings.TrimSpace(t[7:])
	}
	at := strings.LastIndexByte(t, '@')
	if at < 0 {
		if t == "" {
			return s
		}
		return t
	}
	return t[:at+1] + strings.ToLower(t[at+1:])
}
