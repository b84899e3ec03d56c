package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/internal/testutil"
	"github.com/fhirlake/fhirlake/search"
)

var updateCoverage = flag.Bool("update-search-coverage", false, "rewrite testdata/search-every-parameter.txt")

// coverageGolden lists every search TestSearchEveryParameter runs.
var coverageGolden = filepath.Join("testdata", "search-every-parameter.txt")

// knownGaps are the probes (by coverageProbe.label) that do not find
// their resource, and the parameters (Type.code) whose example values no
// search can name, with the reason. A listed probe that starts to pass
// fails the test, so that the list only shrinks. A parameter whose values
// no search names is still searched with :missing=false.
var knownGaps = map[string]string{
	// A relative canonical that is not Type/id is indexed as an opaque
	// URL (raw), but a search value without '/' or ':' is an id, matched
	// against ref_id only.
	"Library.predecessor": "the example's relatedArtifact.resource is the bare name library-fhir-helpers-predecessor, " +
		"indexed in raw; Library?predecessor=<that name> is parsed as an id and compares ref_id only",

	// Composites whose token component is a concept with only text: a
	// composite has no :text, so no value names it.
	"Group.characteristic-value": textOnly,
	"Measure.context-type-value": textOnly,

	// Parameters whose example values are all references to contained
	// resources (#id), which a search by Type/id does not name.
	"ActivityDefinition.composed-of":      contained,
	"Claim.detail-udi":                    contained,
	"Claim.item-udi":                      contained,
	"Claim.subdetail-udi":                 contained,
	"Communication.based-on":              contained,
	"CommunicationRequest.recipient":      contained,
	"CommunicationRequest.requester":      contained,
	"CommunicationRequest.sender":         contained,
	"DocumentManifest.author":             contained,
	"Encounter.location":                  contained,
	"HealthcareService.coverage-area":     contained,
	"Medication.ingredient":               contained,
	"Medication.manufacturer":             contained,
	"MedicationAdministration.medication": contained,
	"MedicationDispense.medication":       contained,
	"MedicationKnowledge.manufacturer":    contained,
	"MedicationStatement.medication":      contained,
	"PlanDefinition.definition":           contained,
	"QuestionnaireResponse.based-on":      contained,
	"ServiceRequest.specimen":             contained,
	"Specimen.parent":                     contained,
	"Substance.substance-reference":       contained,
}

// The reasons of knownGaps.
const (
	textOnly  = "a token component is a concept with only text, which a composite value cannot name"
	contained = "only references to contained resources (#id), which no Type/id search names"
)

// missingVariant labels the :missing=false probe of a parameter whose
// values no search can name.
const missingVariant = " missing"

// coverageExample is one example resource of the fixture.
type coverageExample struct {
	typ, id string
	body    []byte
}

// coverageProbe is one search on typ that must find the resource id the
// value was extracted from: name=values[0]&name=values[1]... (AND).
type coverageProbe struct {
	key    string // Base.code of the parameter, for the counts
	label  string // Type.name, plus " variant" for all but the main probe; the knownGaps key
	typ    string
	id     string
	name   string // the parameter name with its modifier
	values []string
	value  any // the extracted value, for failure reports
	rank   int // lower is a better probe of the parameter
}

// query returns the probe as search parameters.
func (p coverageProbe) query() url.Values { return url.Values{p.name: p.values} }

// String renders the probe as a readable search URL (see goldenEscape).
func (p coverageProbe) String() string {
	parts := make([]string, len(p.values))
	for i, v := range p.values {
		parts[i] = p.name + "=" + goldenEscape(v)
	}
	return p.typ + "?" + strings.Join(parts, "&")
}

// TestSearchEveryParameter searches every search parameter that some R4
// example yields a value for: on one engine fixture holding every
// example (and Bundle entry), for each resource type and parameter, it
// picks one extracted value (the best kind of value, then the first
// resource by type and id), turns it into a search value of the
// parameter's type that must match it, runs the search and requires the
// resource among the matches. Variants probe token :text and quantities
// with units. The searches run are in testdata/search-every-parameter.txt
// (rewrite with -update-search-coverage).
func TestSearchEveryParameter(t *testing.T) {
	examples := loadCoverageExamples(t)
	fixture := map[string][]string{}
	for _, ex := range examples {
		fixture[ex.typ] = append(fixture[ex.typ], string(ex.body))
	}
	e := newSearchEnvOf(t, fixture)

	probes, yielded, unnamed := chooseProbes(t, examples)
	ctx := context.Background()
	var failures, lines []string
	searched := map[string]bool{} // Base.code found by its main probe
	for _, p := range unnamed {
		if _, ok := knownGaps[strings.TrimSuffix(p.label, missingVariant)]; !ok {
			failures = append(failures, fmt.Sprintf("%s: example values, but none that a search can name, such as %s/%s %s",
				p.label, p.typ, p.id, compact(p.value)))
		}
	}
	all := append(probes, unnamed...)
	for _, p := range all {
		lines = append(lines, p.label+"\t"+p.String())
		ids, err := runProbe(ctx, e, p)
		found := err == nil && slices.Contains(ids, p.id)
		if found && !strings.Contains(p.label, " ") {
			searched[p.key] = true
		}
		if msg := judgeProbe(p, found, ids, err); msg != "" {
			failures = append(failures, msg)
		}
	}
	failures = append(failures, staleGaps(all)...)
	failures = append(failures, lostParams(t, yielded)...)
	reportCoverage(t, searched, yielded)
	checkCoverageGolden(t, lines)
	if len(failures) > 0 {
		t.Errorf("%d coverage failures:\n%s", len(failures), strings.Join(failures, "\n"))
	}
}

// runProbe runs one probe and returns the ids it matches.
func runProbe(ctx context.Context, e *Engine, p coverageProbe) ([]string, error) {
	sq, err := search.ParseQuery(p.typ, p.query(), true)
	if err != nil {
		return nil, err
	}
	plan, err := search.NewPlan(sq, "clinic")
	if err != nil {
		return nil, err
	}
	ids, _, err := e.Search(ctx, "clinic", plan, 100000, 0, false)
	return ids, err
}

// judgeProbe returns the failure message of a probe, or "" when it
// found its resource or is a known gap that still fails.
func judgeProbe(p coverageProbe, found bool, ids []string, err error) string {
	reason, known := knownGaps[p.label]
	switch {
	case found && known:
		return fmt.Sprintf("%s: %s now finds %s/%s; remove it from knownGaps (%s)", p.label, p, p.typ, p.id, reason)
	case found || known:
		return ""
	case err != nil:
		return fmt.Sprintf("%s: %s/%s value %s: %s: error %v", p.label, p.typ, p.id, compact(p.value), p, err)
	}
	if len(ids) > 10 {
		ids = append(ids[:10:10], "...")
	}
	return fmt.Sprintf("%s: %s/%s value %s: %s matched %v", p.label, p.typ, p.id, compact(p.value), p, ids)
}

// compact renders an extracted value as JSON without its empty fields.
func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return strings.NewReplacer(`"Param":"",`, ``, `"Text":"",`, ``, `"Display":"",`, ``).Replace(string(b))
}

// reportCoverage logs how many parameter definitions (canonical URLs)
// and how many (base, code) rows were searched.
func reportCoverage(t *testing.T, searched, yielded map[string]bool) {
	urls, urlSearched, urlValues := map[string]bool{}, map[string]bool{}, map[string]bool{}
	rows := search.All()
	for _, p := range rows {
		key := p.Base + "." + p.Code
		urls[p.URL] = true
		if searched[key] {
			urlSearched[p.URL] = true
		}
		if yielded[key] {
			urlValues[p.URL] = true
		}
	}
	t.Logf("searched %d of %s parameters with example values; %d have no example value "+
		"(per base and code: %d of %d rows have example values, %d of them searched by value, "+
		"the other %d are knownGaps, searched with :missing=false or failing)",
		len(urlSearched), thousands(len(urls)), len(urls)-len(urlValues),
		len(yielded), len(rows), len(searched), len(yielded)-len(searched))
}

// staleGaps lists the knownGaps keys that name no probe and no
// parameter whose values no search names.
func staleGaps(probes []coverageProbe) []string {
	used := map[string]bool{}
	for _, p := range probes {
		used[p.label] = true
		used[strings.TrimSuffix(p.label, missingVariant)] = true
	}
	var out []string
	for key := range knownGaps {
		if !used[key] {
			out = append(out, key+": in knownGaps, but no example value of it is searched; remove it")
		}
	}
	sort.Strings(out)
	return out
}

// thousands formats n with a comma every three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// lostParams cross-checks the fixture with search/testdata/no-example-values.txt:
// a parameter with an expression that the file does not list has values
// in some example, so the fixture must have them too (it keeps one
// resource per type and id, and none without an id).
func lostParams(t *testing.T, yielded map[string]bool) []string {
	listed := noExampleValues(t)
	var out []string
	for _, p := range search.All() {
		key := p.Base + "." + p.Code
		if p.Expression == "" || yielded[key] || listed[key] {
			continue
		}
		if _, ok := knownGaps[key]; !ok {
			out = append(out, key+": has example values (search/testdata/no-example-values.txt) but none in the fixture")
		}
	}
	t.Logf("%d parameters (per base and code) have no example value (search/testdata/no-example-values.txt): "+
		"not searched here; package search's TestSyntheticCoverage extracts them from generated resources, "+
		"which this package cannot reach", len(listed))
	return out
}

// noExampleValues reads the Base.code list of parameters without example
// values that package search maintains.
func noExampleValues(t *testing.T) map[string]bool {
	f, err := os.Open(filepath.Join("..", "search", "testdata", "no-example-values.txt"))
	require.NoError(t, err)
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, _, _ := strings.Cut(line, "\t")
		out[key] = true
	}
	require.NoError(t, sc.Err())
	return out
}

// checkCoverageGolden compares the searches run with the golden file, or
// rewrites it under -update-search-coverage.
func checkCoverageGolden(t *testing.T, lines []string) {
	sort.Strings(lines)
	text := "# The searches of TestSearchEveryParameter: the knownGaps key (Type.parameter, and a\n" +
		"# variant), a tab, and the search, which must find the R4 example its value was extracted\n" +
		"# from unless knownGaps lists it.\n" +
		"# Generated by go test ./engine -run TestSearchEveryParameter -update-search-coverage.\n" +
		strings.Join(lines, "\n") + "\n"
	if *updateCoverage {
		require.NoError(t, os.MkdirAll(filepath.Dir(coverageGolden), 0o755))
		require.NoError(t, os.WriteFile(coverageGolden, []byte(text), 0o644))
		return
	}
	want, err := os.ReadFile(coverageGolden)
	require.NoError(t, err, "run with -update-search-coverage to create it")
	require.Equal(t, string(want), text)
}

// goldenEscape percent-encodes what would make a value ambiguous in a
// search URL or break a golden line: %, &, #, +, spaces and controls.
func goldenEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f || c == '%' || c == '&' || c == '#' || c == '+' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// loadCoverageExamples reads the R4 example resources and the resources
// inside the example Bundles, keeping the first of each type and id and
// none without an id.
func loadCoverageExamples(t *testing.T) []coverageExample {
	var out []coverageExample
	seen := map[string]bool{}
	for _, body := range testutil.R4Examples(t) {
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		require.NoError(t, json.Unmarshal(body, &head))
		key := head.ResourceType + "/" + head.ID
		if head.ResourceType == "" || head.ID == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, coverageExample{typ: head.ResourceType, id: head.ID, body: body})
	}
	require.NotEmpty(t, out)
	return out
}

// chooseProbes extracts every example and picks, for each resource type
// and parameter code, the best probe (lowest rank, then the first
// resource by type and id, then the first value), with its variants. It
// also returns the Base.code of every parameter with a value, and, for
// each Type.code whose values no search can name, a :missing=false probe
// on the first resource with a value.
func chooseProbes(t *testing.T, examples []coverageExample) ([]coverageProbe, map[string]bool, []coverageProbe) {
	sorted := slices.Clone(examples)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].typ != sorted[j].typ {
			return sorted[i].typ < sorted[j].typ
		}
		return sorted[i].id < sorted[j].id
	})
	best := map[string][]coverageProbe{} // Type.code: main probe, then variants
	first := map[string]coverageProbe{}  // Type.code with a value: :missing=false on the first
	yielded := map[string]bool{}
	for _, ex := range sorted {
		v, err := search.Extract(ex.body)
		require.NoError(t, err, "%s/%s", ex.typ, ex.id)
		for _, c := range valueProbes(&v) {
			p, ok := search.Lookup(ex.typ, c.code)
			require.True(t, ok, "%s has no parameter %s", ex.typ, c.code)
			tc := ex.typ + "." + c.code
			yielded[p.Base+"."+p.Code] = true
			if _, ok := first[tc]; !ok {
				first[tc] = coverageProbe{key: p.Base + "." + p.Code, label: tc + missingVariant, typ: ex.typ, id: ex.id,
					name: c.code + ":missing", values: []string{"false"}, value: c.value}
			}
			if len(c.probes) == 0 {
				continue
			}
			if cur, ok := best[tc]; ok && cur[0].rank <= c.probes[0].rank {
				continue
			}
			for i := range c.probes {
				c.probes[i].key, c.probes[i].typ, c.probes[i].id = p.Base+"."+p.Code, ex.typ, ex.id
				c.probes[i].label = tc + c.probes[i].label
			}
			best[tc] = c.probes
		}
	}
	var probes []coverageProbe
	var unnamed []coverageProbe
	for tc, m := range first {
		if ps, ok := best[tc]; ok {
			probes = append(probes, ps...)
		} else {
			unnamed = append(unnamed, m)
		}
	}
	byLabel := func(ps []coverageProbe) {
		sort.Slice(ps, func(i, j int) bool { return ps[i].label < ps[j].label })
	}
	byLabel(probes)
	byLabel(unnamed)
	return probes, yielded, unnamed
}

// valueCandidate is what one extracted value offers: its parameter code
// and the probes it makes (none when no search can name it), the main
// probe first.
type valueCandidate struct {
	code   string
	value  any
	probes []coverageProbe
}

// valueProbes turns every value of v into a candidate.
func valueProbes(v *search.Values) []valueCandidate {
	var out []valueCandidate
	for _, x := range v.Tokens {
		out = append(out, valueCandidate{x.Param, x, tokenProbes(x)})
	}
	for _, x := range v.Strings {
		out = append(out, valueCandidate{x.Param, x, stringProbes(x)})
	}
	for _, x := range v.Dates {
		out = append(out, valueCandidate{x.Param, x, []coverageProbe{{name: x.Param, value: x,
			values: []string{"ge" + instant(x.Low), "le" + instant(x.High)}}}})
	}
	for _, x := range v.Numbers {
		out = append(out, valueCandidate{x.Param, x, numberProbes(x)})
	}
	for _, x := range v.Quantities {
		out = append(out, valueCandidate{x.Param, x, quantityProbes(x)})
	}
	for _, x := range v.References {
		out = append(out, valueCandidate{x.Param, x, referenceProbes(x)})
	}
	for _, x := range v.URIs {
		out = append(out, valueCandidate{x.Param, x, single(x.Param, x, 0, searchText(x.Value))})
	}
	for _, x := range v.Composites {
		out = append(out, valueCandidate{x.Param, x, compositeProbes(x)})
	}
	for _, x := range v.Positions {
		out = append(out, valueCandidate{x.Param, x, single(x.Param, x, 0, fmt.Sprintf("%s|%s|1", float(x.Latitude), float(x.Longitude)))})
	}
	return out
}

// single is one probe with one value, or none when the value is "".
func single(name string, value any, rank int, s string) []coverageProbe {
	if s == "" {
		return nil
	}
	return []coverageProbe{{name: name, value: value, rank: rank, values: []string{s}}}
}

// maxSearchValue is the longest value a search accepts (search.maxValueLen).
const maxSearchValue = 4096

// searchText escapes a value for a search: \ , | and $ get a backslash.
// It returns "" for a value a search cannot take.
func searchText(s string) string {
	if s == "" || len(s) > maxSearchValue/2 {
		return ""
	}
	r := strings.NewReplacer(`\`, `\\`, `,`, `\,`, `|`, `\|`, `$`, `\$`)
	return r.Replace(s)
}

// tokenProbes: system|code (|code without a system), a whole system
// (system|) for a value without a code, or :text for a concept with only
// text; a coded value with a display or text also probes :text.
func tokenProbes(x search.TokenValue) []coverageProbe {
	word := firstWord(x.Display + " " + x.Text)
	switch {
	case x.Code != "" && searchText(x.Code) != "":
		out := single(x.Param, x, 0, tokenValue(x.System, x.Code))
		if word != "" {
			out = append(out, coverageProbe{label: " text", name: x.Param + ":text", value: x, values: []string{word}})
		}
		return out
	case x.System != "" && x.Code == "":
		return single(x.Param, x, 1, searchText(x.System)+"|")
	case word != "":
		return single(x.Param+":text", x, 2, word)
	}
	return nil
}

// tokenValue formats system|code, or |code without a system.
func tokenValue(system, code string) string {
	return searchText(system) + "|" + searchText(code)
}

// firstWord returns the first word of s of at least three letters or
// digits (or else the first word), escaped, or "".
func firstWord(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		if len([]rune(w)) >= 3 {
			return searchText(w)
		}
	}
	if len(words) > 0 {
		return searchText(words[0])
	}
	return ""
}

// stringProbes: the value as written (a prefix match); the full-text
// parameters, which keep only the normalized text, by a word of it.
func stringProbes(x search.StringValue) []coverageProbe {
	if x.Value == "" {
		return single(x.Param, x, 1, firstWord(x.Norm))
	}
	return single(x.Param, x, 0, searchText(x.Value))
}

// numberProbes: ge and le the value.
func numberProbes(x search.NumberValue) []coverageProbe {
	if math.IsNaN(x.Value) || math.IsInf(x.Value, 0) {
		return nil
	}
	f := float(x.Value)
	return []coverageProbe{{name: x.Param, value: x, values: []string{"ge" + f, "le" + f}}}
}

// quantityProbes: ge and le the number, and again with |system|code when
// the quantity has both. A Range (no number) is probed, worse than any
// number, by ge its low and le its high, the bounds it has.
func quantityProbes(x search.QuantityValue) []coverageProbe {
	if math.IsNaN(x.Value) || math.IsInf(x.Value, 0) {
		var values []string
		if !math.IsInf(x.Low, 0) && !math.IsNaN(x.Low) {
			values = append(values, "ge"+float(x.Low))
		}
		if !math.IsInf(x.High, 0) && !math.IsNaN(x.High) {
			values = append(values, "le"+float(x.High))
		}
		if len(values) == 0 {
			return nil
		}
		return []coverageProbe{{name: x.Param, value: x, values: values, rank: 1}}
	}
	f := float(x.Value)
	out := []coverageProbe{{name: x.Param, value: x, values: []string{"ge" + f, "le" + f}}}
	if x.System != "" && x.Code != "" {
		unit := "|" + tokenValue(x.System, x.Code)
		out = append(out, coverageProbe{label: " unit", name: x.Param, value: x, values: []string{"ge" + f + unit, "le" + f + unit}})
	}
	return out
}

// referenceProbes: Type/id (and the absolute URL it came from), a bare
// id, the URL, or :identifier; a reference to a contained resource (#id)
// makes none.
func referenceProbes(x search.ReferenceValue) []coverageProbe {
	switch {
	case strings.HasPrefix(x.TargetID, "#"):
		return nil
	case x.TargetType != "" && x.TargetID != "":
		out := single(x.Param, x, 0, x.TargetType+"/"+x.TargetID)
		if u := searchText(x.URL); u != "" {
			out = append(out, coverageProbe{label: " url", name: x.Param, value: x, values: []string{u}})
		}
		return out
	case x.TargetID != "":
		return single(x.Param, x, 0, x.TargetID)
	case x.URL != "":
		return single(x.Param, x, 0, searchText(x.URL))
	case x.IdentifierValue != "":
		return single(x.Param+":identifier", x, 1, tokenValue(x.IdentifierSystem, x.IdentifierValue))
	}
	return nil
}

// compositeProbes joins the components with $, each formatted for its
// type as an exact (eq) match; a component no search can name makes
// none.
func compositeProbes(x search.CompositeValue) []coverageProbe {
	parts := make([]string, len(x.Parts))
	for i, p := range x.Parts {
		if parts[i] = compositePart(p); parts[i] == "" {
			return nil
		}
	}
	return single(x.Param, x, 0, strings.Join(parts, "$"))
}

// compositePart formats one component, or returns "".
func compositePart(p search.CompositePart) string {
	switch p.Type {
	case search.Token:
		if p.Token.Code == "" {
			return ""
		}
		return tokenValue(p.Token.System, p.Token.Code)
	case search.String:
		return searchText(p.String.Value)
	case search.Date:
		return coveringDate(p.Date.Low, p.Date.High)
	case search.Number:
		if math.IsNaN(p.Number.Value) {
			return ""
		}
		return float(p.Number.Value)
	case search.Quantity:
		if q := p.Quantity; math.IsNaN(q.Value) {
			// A Range: ge its low (or le its high).
			switch {
			case !math.IsInf(q.Low, 0) && !math.IsNaN(q.Low):
				return "ge" + float(q.Low)
			case !math.IsInf(q.High, 0) && !math.IsNaN(q.High):
				return "le" + float(q.High)
			}
			return ""
		}
		return float(p.Quantity.Value)
	case search.Reference:
		if r := referenceProbes(p.Reference); len(r) > 0 && r[0].name == p.Reference.Param {
			return r[0].values[0]
		}
	case search.URI:
		return searchText(p.URI.Value)
	}
	return ""
}

// coveringDate returns the finest date, dateTime or instant whose range
// holds [lo, hi], so that an eq search matches it; for a range no date
// holds (an open Period), a ge search on its start.
func coveringDate(lo, hi time.Time) string {
	for _, layout := range []string{"2006-01-02T15:04:05Z", "2006-01-02", "2006-01", "2006"} {
		s := lo.UTC().Format(layout)
		if l, h, ok := search.DateRange(s); ok && !l.After(lo) && !h.Before(hi) {
			return s
		}
	}
	return "ge" + instant(lo)
}

// instant formats t as a FHIR instant at second precision, in UTC.
func instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// float formats x as a decimal without exponent that parses back to x.
func float(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
