package linkage

// soundexCodes are the American Soundex digits of the letters A to Z; 0
// marks the vowels and H, W and Y, which get no digit (soundex handles H
// and W apart: unlike vowels they do not separate equal digits).
const soundexCodes = "01230120022455012623010202"

// soundex returns the American Soundex code (a letter and three digits) of
// a folded name (upper-case A–Z), as defined by the US National Archives
// ("The Soundex Indexing System", 2007); "" for a name without letters.
func soundex(name string) string {
	out := make([]byte, 0, 4)
	var last byte
	for i := 0; i < len(name) && len(out) < 4; i++ {
		c := name[i]
		if c < 'A' || c > 'Z' {
			continue
		}
		code := soundexCodes[c-'A']
		if c == 'H' || c == 'W' {
			if len(out) == 0 {
				out = append(out, c)
				last = code
			}
			continue
		}
		switch {
		case len(out) == 0:
			out = append(out, c)
		case code != '0' && code != last:
			out = append(out, code)
		}
		last = code
	}
	if len(out) == 0 {
		return ""
	}
	for len(out) < 4 {
		out = append(out, '0')
	}
	return string(out)
}
