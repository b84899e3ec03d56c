package linkage

// oneEdit reports whether a and b, which differ, are one typing error
// apart: one rune substituted, inserted or deleted, or two adjacent runes
// transposed (an optimal string alignment distance of 1). Short names
// need it: one substitution in a name of three to five letters ("Mia",
// "Mya"; "Grace", "Groce") scores below 0.90 in Jaro–Winkler.
func oneEdit(a, b []rune) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	switch len(b) - len(a) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if i == len(a) {
			return false // equal
		}
		if i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && equalRunes(a[i+2:], b[i+2:]) {
			return true // transposition
		}
		return equalRunes(a[i+1:], b[i+1:]) // substitution
	case 1:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return equalRunes(a[i:], b[i+1:]) // b has one rune more
	}
	return false
}

func equalRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
