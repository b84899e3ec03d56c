package search

import (
	"sort"
	"strconv"
	"strings"
	"sync"
)

// UCUMSystem is the system URI of UCUM unit codes.
const UCUMSystem = "http://unitsofmeasure.org"

// unitAtom is a UCUM unit atom: its value in a canonical atom (g, m, L, s,
// mol, Pa, K, eq, U, [IU], %) and whether it takes metric prefixes.
type unitAtom struct {
	canon  string
	factor float64
	metric bool
}

// atoms are the UCUM units this package converts. Volume is kept in L (not
// m3) and pressure in Pa, so that canonical codes stay readable.
var atoms = map[string]unitAtom{
	"g": {"g", 1, true}, "m": {"m", 1, true}, "L": {"L", 1, true}, "l": {"L", 1, true},
	"s": {"s", 1, true}, "mol": {"mol", 1, true}, "Pa": {"Pa", 1, true}, "bar": {"Pa", 1e5, true},
	"eq": {"eq", 1, true}, "U": {"U", 1, true}, "K": {"K", 1, true}, "Hz": {"s", 1, true},
	"m[Hg]": {"Pa", 133322.387415, true}, "m[H2O]": {"Pa", 9806.65, true},
	"min": {"s", 60, false}, "h": {"s", 3600, false}, "d": {"s", 86400, false},
	"wk": {"s", 604800, false}, "mo": {"s", 2629800, false}, "a": {"s", 31557600, false},
	"[lb_av]": {"g", 453.59237, false}, "[oz_av]": {"g", 28.349523125, false},
	"[in_i]": {"m", 0.0254, false}, "[ft_i]": {"m", 0.3048, false},
	"[IU]": {"[IU]", 1, false}, "[iU]": {"[IU]", 1, false}, "%": {"%", 1, false}, "1": {"", 1, false},
}

// prefixes are the metric prefixes, longest first where they overlap.
var prefixes = []struct {
	p string
	f float64
}{
	{"da", 10}, {"G", 1e9}, {"M", 1e6}, {"k", 1e3}, {"h", 100}, {"d", 0.1}, {"c", 0.01},
	{"m", 1e-3}, {"u", 1e-6}, {"n", 1e-9}, {"p", 1e-12}, {"f", 1e-15},
}

// affine are the temperature units with an offset: kelvin = v*factor + offset.
var affine = map[string][2]float64{
	"Cel":    {1, 273.15},
	"[degF]": {5.0 / 9, 273.15 - 32*5.0/9},
	"K":      {1, 0},
}

// unitConv converts a value to a canonical unit: v*factor + offset.
type unitConv struct {
	canon          string
	factor, offset float64
}

var unitCache sync.Map // code -> unitConv, or nil for unknown codes

// Canonical converts value in the UCUM unit code to its canonical unit:
// mass to g, length to m, volume to L, time to s, temperature to K,
// pressure to Pa, amounts to mol, and quotients and products of these
// (mg/dL to g/L, mmol/L to mol/L, /min and {beats}/min to /s, kg/m2 to
// g/m2, 10*3/uL to /L). Annotations ({beats}) are ignored. ok is false
// for a code it does not understand.
func Canonical(value float64, code string) (canonValue float64, canonCode string, ok bool) {
	c, ok := unitFor(code)
	if !ok {
		return 0, "", false
	}
	return value*c.factor + c.offset, c.canon, true
}

func unitFor(code string) (unitConv, bool) {
	if v, ok := unitCache.Load(code); ok {
		c, ok := v.(unitConv)
		return c, ok
	}
	c, ok := parseUnit(code)
	if ok {
		unitCache.Store(code, c)
	} else {
		unitCache.Store(code, nil)
	}
	return c, ok
}

func parseUnit(code string) (unitConv, bool) {
	if a, ok := affine[code]; ok {
		return unitConv{canon: "K", factor: a[0], offset: a[1]}, true
	}
	if code == "" || len(code) > 64 {
		return unitConv{}, false
	}
	exps := map[string]int{}
	factor := 1.0
	for i, part := range strings.Split(code, "/") {
		sign := 1
		if i > 0 {
			sign = -1
		}
		if part == "" && i == 0 {
			continue // "/min"
		}
		for _, term := range strings.Split(part, ".") {
			if term == "" {
				return unitConv{}, false
			}
			f, ok := parseTerm(term, sign, exps)
			if !ok {
				return unitConv{}, false
			}
			factor *= f
		}
	}
	return unitConv{canon: formatUnit(exps), factor: factor}, true
}

// parseTerm adds one term (mg, m2, {beats}, 10*3) to exps with the sign
// and returns its factor.
func parseTerm(term string, sign int, exps map[string]int) (float64, bool) {
	term = stripAnnotations(term)
	if term == "" {
		return 1, true
	}
	if rest, ok := strings.CutPrefix(term, "10*"); ok {
		return powerOfTen(rest, sign)
	}
	if rest, ok := strings.CutPrefix(term, "10^"); ok {
		return powerOfTen(rest, sign)
	}
	base, exp := splitExponent(term)
	f, canon, ok := atomFactor(base)
	if !ok {
		return 0, false
	}
	exp *= sign
	if canon != "" {
		exps[canon] += exp
	}
	pow := 1.0
	for range abs(exp) {
		pow *= f
	}
	if exp < 0 {
		pow = 1 / pow
	}
	return pow, true
}

func stripAnnotations(s string) string {
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s
		}
		s = s[:i] + s[i+j+1:]
	}
}

func powerOfTen(digits string, sign int) (float64, bool) {
	n, err := strconv.Atoi(digits)
	if err != nil || n < -30 || n > 30 {
		return 0, false
	}
	f := 1.0
	for range abs(n) {
		f *= 10
	}
	if (n < 0) != (sign < 0) {
		f = 1 / f
	}
	return f, true
}

// splitExponent splits a trailing integer exponent (m2, s-1) from a term.
func splitExponent(term string) (string, int) {
	i := len(term)
	for i > 0 && term[i-1] >= '0' && term[i-1] <= '9' {
		i--
	}
	if i == len(term) || i == 0 {
		return term, 1
	}
	j := i
	if term[j-1] == '-' || term[j-1] == '+' {
		j--
	}
	if j == 0 {
		return term, 1
	}
	n, err := strconv.Atoi(term[j:])
	if err != nil || n == 0 || n > 9 || n < -9 {
		return term, 1
	}
	return term[:j], n
}

// atomFactor resolves a possibly prefixed atom (mg, kPa, mm[Hg]).
func atomFactor(s string) (float64, string, bool) {
	if a, ok := atoms[s]; ok {
		return a.factor, a.canon, true
	}
	for _, p := range prefixes {
		rest, ok := strings.CutPrefix(s, p.p)
		if !ok {
			continue
		}
		if a, ok := atoms[rest]; ok && a.metric {
			return p.f * a.factor, a.canon, true
		}
	}
	return 0, "", false
}

// formatUnit writes a canonical code: numerator atoms in order, then one
// /atom per denominator atom, with exponents above 1 as digits (g/m2).
// A dimensionless unit is "1".
func formatUnit(exps map[string]int) string {
	names := make([]string, 0, len(exps))
	for n, e := range exps {
		if e != 0 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var num, den []string
	for _, n := range names {
		e := exps[n]
		s := n
		if abs(e) > 1 {
			s += strconv.Itoa(abs(e))
		}
		if e > 0 {
			num = append(num, s)
		} else {
			den = append(den, s)
		}
	}
	out := strings.Join(num, ".")
	for _, d := range den {
		out += "/" + d
	}
	if out == "" {
		return "1"
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
