package linkage

// This file implements the Jaro–Winkler similarity itself rather than
// taking it from a library: the Go module that offers it here
// (github.com/adrg/strutil v0.3.1) departs from the published definition
// (a match window of max/2 instead of max/2-1, matches counted separately
// in each direction, and the prefix bonus applied below Winkler's 0.7
// threshold), which changes scores near the thresholds this package
// relies on, and allocates on every call.

// jaroWinkler returns the Jaro–Winkler similarity of a and b, in [0, 1]:
// the Jaro similarity (Jaro, JASA 84, 1989) raised by 0.1 per character of
// common prefix (at most four) when it is above 0.7 (Winkler, "String
// Comparator Metrics and Enhanced Decision Rules in the Fellegi-Sunter
// Model of Record Linkage", 1990). Two empty strings are identical.
func jaroWinkler(a, b []rune) float64 {
	j := jaro(a, b)
	if j <= 0.7 {
		return j
	}
	prefix := 0
	for prefix < 4 && prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	return j + 0.1*float64(prefix)*(1-j)
}

// jaro returns the Jaro similarity of a and b.
func jaro(a, b []rune) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	window := max(len(b)/2-1, 0)
	var bufA, bufB [64]bool
	matchedA, matchedB := bufA[:0], bufB[:0]
	if len(b) > len(bufB) {
		matchedA, matchedB = make([]bool, 0, len(a)), make([]bool, 0, len(b))
	}
	matchedA, matchedB = matchedA[:len(a)], matchedB[:len(b)]
	matches := 0
	for i, r := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for k := lo; k < hi; k++ {
			if !matchedB[k] && b[k] == r {
				matchedA[i], matchedB[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	half, k := 0, 0
	for i, r := range a {
		if !matchedA[i] {
			continue
		}
		for !matchedB[k] {
			k++
		}
		if r != b[k] {
			half++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-float64(half/2))/m) / 3
}
