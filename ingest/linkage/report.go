package linkage

// Report says what one linkage run over a data store found and changed.
type Report struct {
	// Patients is the number of Patients compared.
	Patients int
	// Links are the pairs scoring at least the upper threshold;
	// Possibles those between the thresholds (reported, not linked).
	Links, Possibles []Match
	// Updated are the ids of the Patients that were given new links.
	Updated []string
}

// Split separates matches into links and possible matches, keeping their
// order.
func Split(matches []Match) (links, possibles []Match) {
	for _, m := range matches {
		if m.Decision == Link {
			links = append(links, m)
		} else {
			possibles = append(possibles, m)
		}
	}
	return links, possibles
}
