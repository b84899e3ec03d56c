package linkage

import (
	"slices"
	"time"
)

// closeSimilarity is the Jaro–Winkler similarity from which two names or
// address lines that are not equal count as "close"; 0.90 is the usual
// cut-off for typing errors in names (one substitution or transposition in
// a name of six letters scores about 0.93 to 0.96).
const closeSimilarity = 0.90

// Comparison is the outcome of one field of a scored pair, with its weight.
type Comparison struct {
	Outcome Outcome
	Weight  float64
}

// comparators compare one field of two records each; ok is false when the
// field is missing on either side.
var comparators = []func(a, b *record) (o Outcome, ok bool){
	compareFamily, compareGiven, compareBirth, compareSex, compareLine,
	compareCity, comparePostal, comparePhone, compareIdentifiers,
}

// score returns the Fellegi–Sunter score of a pair: the sum of the
// weights of its field outcomes. When detail is not nil, it also appends
// each outcome to it.
func score(a, b *record, w *weights, detail *[]Comparison) float64 {
	total := 0.0
	for _, cmp := range comparators {
		if o, ok := cmp(a, b); ok {
			total += w[o]
			if detail != nil {
				*detail = append(*detail, Comparison{Outcome: o, Weight: w[o]})
			}
		}
	}
	return total
}

// compareFamily compares family names: equal, close (similar spelling or
// one typing error in a name of at least three letters) or different.
func compareFamily(a, b *record) (Outcome, bool) {
	o, ok := compareText(a.family, b.family, FamilyExact, FamilyClose, FamilyDiffer)
	if o == FamilyDiffer && typoOf(a.family, b.family) {
		o = FamilyClose
	}
	return o, ok
}

// typoOf reports whether two names of at least three letters are one
// typing error apart.
func typoOf(a, b []rune) bool {
	return min(len(a), len(b)) >= 3 && oneEdit(a, b)
}

func compareLine(a, b *record) (Outcome, bool) {
	return compareText(a.line, b.line, LineExact, LineClose, LineDiffer)
}

// compareText compares two folded values: equal, close (Jaro–Winkler at
// least closeSimilarity) or different.
func compareText(a, b []rune, exact, close, differ Outcome) (Outcome, bool) {
	switch {
	case len(a) == 0 || len(b) == 0:
		return 0, false
	case slices.Equal(a, b):
		return exact, true
	case jaroWinkler(a, b) >= closeSimilarity:
		return close, true
	}
	return differ, true
}

// compareGiven compares the first given names: equal, nicknames of each
// other, or close (similar spelling, one typing error, an initial of the
// other, or equal to the other's second given name).
func compareGiven(a, b *record) (Outcome, bool) {
	if len(a.given) == 0 || len(b.given) == 0 {
		return 0, false
	}
	x, y := a.given[0], b.given[0]
	switch {
	case slices.Equal(x, y):
		return GivenExact, true
	case isNickname(a.given0, b.given0):
		return GivenNickname, true
	case jaroWinkler(x, y) >= closeSimilarity, typoOf(x, y),
		len(x) == 1 && x[0] == y[0], len(y) == 1 && x[0] == y[0],
		len(a.given) > 1 && slices.Equal(a.given[1], y),
		len(b.given) > 1 && slices.Equal(x, b.given[1]):
		return GivenClose, true
	}
	return GivenDiffer, true
}

// compareBirth compares birth dates: equal, one day apart, or with day
// and month swapped (a date written in the other order). When either date
// lacks its day, the parts both have are compared.
func compareBirth(a, b *record) (Outcome, bool) {
	switch {
	case a.y == 0 || b.y == 0:
		return 0, false
	case a.d == 0 || b.d == 0:
		if a.y == b.y && (a.m == 0 || b.m == 0 || a.m == b.m) {
			return BirthExact, true
		}
		return BirthDiffer, true
	case a.y == b.y && a.m == b.m && a.d == b.d:
		return BirthExact, true
	case a.y == b.y && a.m == b.d && a.d == b.m:
		return BirthSwap, true
	}
	ta := time.Date(a.y, time.Month(a.m), a.d, 0, 0, 0, 0, time.UTC)
	tb := time.Date(b.y, time.Month(b.m), b.d, 0, 0, 0, 0, time.UTC)
	if d := ta.Sub(tb); d == 24*time.Hour || d == -24*time.Hour {
		return BirthOneDay, true
	}
	return BirthDiffer, true
}

func compareSex(a, b *record) (Outcome, bool) {
	return compareEqual(a.sex, b.sex, SexSame, SexDiffer)
}

func compareCity(a, b *record) (Outcome, bool) {
	return compareEqual(a.city, b.city, CitySame, CityDiffer)
}

func comparePostal(a, b *record) (Outcome, bool) {
	return compareEqual(a.postal, b.postal, PostalSame, PostalDiffer)
}

// compareEqual compares two folded values for equality.
func compareEqual(a, b string, same, differ Outcome) (Outcome, bool) {
	switch {
	case a == "" || b == "":
		return 0, false
	case a == b:
		return same, true
	}
	return differ, true
}

// comparePhone reports whether the records have a phone number in common.
func comparePhone(a, b *record) (Outcome, bool) {
	if len(a.phones) == 0 || len(b.phones) == 0 {
		return 0, false
	}
	for _, x := range a.phones {
		if slices.Contains(b.phones, x) {
			return PhoneSame, true
		}
	}
	return PhoneDiffer, true
}

// compareIdentifiers compares the identifiers of the systems both records
// have: same when some value is equal, differ when none is. Records
// without a system in common are not compared.
func compareIdentifiers(a, b *record) (Outcome, bool) {
	shared := false
	i, k := 0, 0
	for i < len(a.ids) && k < len(b.ids) {
		x, y := a.ids[i], b.ids[k]
		switch {
		case x.System < y.System:
			i++
		case x.System > y.System:
			k++
		case x.Value == y.Value:
			return IdentifierSame, true
		default:
			shared = true
			if x.Value < y.Value {
				i++
			} else {
				k++
			}
		}
	}
	if shared {
		return IdentifierDiffer, true
	}
	return 0, false
}
