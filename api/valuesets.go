package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/search"
	"github.com/fhirlake/fhirlake/store"
)

// Bounds on value set expansion, against cycles and abuse.
const (
	// maxValueSetDepth bounds the chain of compose.include.valueSet
	// imports (a cycle ends here too).
	maxValueSetDepth = 8
	// maxExpansionCodes bounds the listed codes of one expansion.
	maxExpansionCodes = 100000
)

// storeValueSets implements search.ValueSets over the ValueSet resources
// of one data store: a canonical URL (url or url|version) is found
// through the search index (ValueSet?url=...&version=...; of several
// matches the first by id is taken), a ValueSet/id reference is read
// directly. Expansions are kept for the request's lifetime.
type storeValueSets struct {
	rd       Reader
	searcher Searcher
	ds       string
	cache    map[string]*search.Expansion
}

func newStoreValueSets(rd Reader, s Searcher, ds string) *storeValueSets {
	return &storeValueSets{rd: rd, searcher: s, ds: ds, cache: map[string]*search.Expansion{}}
}

// Expand implements search.ValueSets.
func (v *storeValueSets) Expand(ctx context.Context, ref string) (*search.Expansion, error) {
	return v.expand(ctx, ref, 0)
}

func (v *storeValueSets) expand(ctx context.Context, ref string, depth int) (*search.Expansion, error) {
	if e, ok := v.cache[ref]; ok {
		return e, nil
	}
	if depth > maxValueSetDepth {
		return nil, fmt.Errorf("value set imports nested deeper than %d (a cycle?): %w", maxValueSetDepth, search.ErrUnsupportedValueSet)
	}
	body, err := v.find(ctx, ref)
	if err != nil {
		return nil, err
	}
	e, err := expandValueSet(body, func(imp string) (*search.Expansion, error) {
		return v.expand(ctx, imp, depth+1)
	})
	if err != nil && depth > 0 {
		return nil, fmt.Errorf("imported value set %q: %w", ref, err)
	}
	if err != nil {
		return nil, err
	}
	v.cache[ref] = e
	return e, nil
}

// find returns the ValueSet resource ref names.
func (v *storeValueSets) find(ctx context.Context, ref string) ([]byte, error) {
	id, isRef := strings.CutPrefix(ref, "ValueSet/")
	if !isRef || !fhir.ValidID(id) {
		if v.searcher == nil {
			return nil, fmt.Errorf("api: value set %q: %w", ref, search.ErrUnknownValueSet)
		}
		canon, version, _ := strings.Cut(ref, "|")
		params := url.Values{"url": {escapeValue(canon)}}
		if version != "" {
			params.Set("version", escapeValue(version))
		}
		q, err := search.ParseQuery("ValueSet", params, true)
		if err != nil {
			return nil, fmt.Errorf("api: value set %q: %w", ref, search.ErrUnknownValueSet)
		}
		plan, err := search.NewPlan(q, v.ds)
		if err != nil {
			return nil, fmt.Errorf("api: value set %q: %w", ref, err)
		}
		ids, _, err := v.searcher.Search(ctx, v.ds, plan, 1, 0, false)
		if err != nil {
			return nil, fmt.Errorf("api: value set %q: %w", ref, err)
		}
		if len(ids) == 0 {
			return nil, fmt.Errorf("api: value set %q: %w", ref, search.ErrUnknownValueSet)
		}
		id = ids[0]
	}
	res, err := v.rd.Read(ctx, "ValueSet", id)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrDeleted), errors.Is(err, store.ErrInvalid):
		return nil, fmt.Errorf("api: value set %q: %w", ref, search.ErrUnknownValueSet)
	case err != nil:
		return nil, fmt.Errorf("api: value set %q: %w", ref, err)
	}
	return res.Body, nil
}

// valueSetJSON is the part of a ValueSet that expansion reads.
type valueSetJSON struct {
	ResourceType string `json:"resourceType"`
	Compose      *struct {
		Include []composeRule `json:"include"`
		Exclude []composeRule `json:"exclude"`
	} `json:"compose"`
	Expansion *struct {
		Contains []containsItem `json:"contains"`
	} `json:"expansion"`
}

type composeRule struct {
	System  string `json:"system"`
	Concept []struct {
		Code string `json:"code"`
	} `json:"concept"`
	Filter []struct {
		Property string `json:"property"`
		Op       string `json:"op"`
		Value    string `json:"value"`
	} `json:"filter"`
	ValueSet []string `json:"valueSet"`
}

type containsItem struct {
	System   string         `json:"system"`
	Code     string         `json:"code"`
	Contains []containsItem `json:"contains"`
}

// expandValueSet returns what the ValueSet body contains: its
// expansion.contains when it has one (or only an expansion), otherwise
// its compose:
// the union of the include rules minus the union of the exclude rules.
// A rule is its system's listed concepts, or the whole system when it
// lists none, intersected with the value sets it imports (resolved by
// imp). A rule with a filter cannot be evaluated here and is an error
// wrapping search.ErrUnsupportedValueSet.
func expandValueSet(body []byte, imp func(ref string) (*search.Expansion, error)) (*search.Expansion, error) {
	var vs valueSetJSON
	if err := json.Unmarshal(body, &vs); err != nil || vs.ResourceType != "ValueSet" {
		return nil, fmt.Errorf("not a readable ValueSet: %w", search.ErrUnsupportedValueSet)
	}
	if vs.Expansion != nil && (len(vs.Expansion.Contains) > 0 || vs.Compose == nil) {
		e := &search.Expansion{}
		if err := addContains(e, vs.Expansion.Contains, 0); err != nil {
			return nil, err
		}
		return e, nil
	}
	if vs.Compose == nil || len(vs.Compose.Include) == 0 {
		return nil, fmt.Errorf("neither an expansion nor a compose.include: %w", search.ErrUnsupportedValueSet)
	}
	inc, err := unionRules(vs.Compose.Include, "include", imp)
	if err != nil {
		return nil, err
	}
	if len(vs.Compose.Exclude) == 0 {
		return inc, nil
	}
	exc, err := unionRules(vs.Compose.Exclude, "exclude", imp)
	if err != nil {
		return nil, err
	}
	return minusExpansion(inc, exc), nil
}

// addContains appends expansion.contains, nested ones included.
func addContains(e *search.Expansion, items []containsItem, depth int) error {
	if depth > 32 {
		return fmt.Errorf("expansion.contains nested deeper than 32: %w", search.ErrUnsupportedValueSet)
	}
	for _, c := range items {
		if c.Code != "" {
			e.Codes = append(e.Codes, search.Coding{System: c.System, Code: c.Code})
		}
		if err := addContains(e, c.Contains, depth+1); err != nil {
			return err
		}
	}
	if len(e.Codes) > maxExpansionCodes {
		return fmt.Errorf("more than %d codes: %w", maxExpansionCodes, search.ErrUnsupportedValueSet)
	}
	return nil
}

// unionRules is the union of compose rules (kind: include or exclude).
func unionRules(rules []composeRule, kind string, imp func(string) (*search.Expansion, error)) (*search.Expansion, error) {
	out := &search.Expansion{}
	for _, r := range rules {
		e, err := ruleExpansion(r, kind, imp)
		if err != nil {
			return nil, err
		}
		out = unionExpansion(out, e)
		if len(out.Codes) > maxExpansionCodes {
			return nil, fmt.Errorf("more than %d codes: %w", maxExpansionCodes, search.ErrUnsupportedValueSet)
		}
	}
	return out, nil
}

// ruleExpansion is what one compose rule selects.
func ruleExpansion(r composeRule, kind string, imp func(string) (*search.Expansion, error)) (*search.Expansion, error) {
	if len(r.Filter) > 0 {
		f := r.Filter[0]
		return nil, fmt.Errorf("compose.%s.filter (%s %s %s in %s) cannot be evaluated by this server: %w",
			kind, f.Property, f.Op, f.Value, r.System, search.ErrUnsupportedValueSet)
	}
	var out *search.Expansion
	switch {
	case r.System != "" && len(r.Concept) > 0:
		out = &search.Expansion{}
		for _, c := range r.Concept {
			out.Codes = append(out.Codes, search.Coding{System: r.System, Code: c.Code})
		}
	case r.System != "":
		out = &search.Expansion{Systems: []string{r.System}}
	case len(r.ValueSet) == 0:
		return nil, fmt.Errorf("a compose.%s rule with neither system nor valueSet: %w", kind, search.ErrUnsupportedValueSet)
	}
	for _, ref := range r.ValueSet {
		e, err := imp(ref)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = e
		} else {
			out = intersectExpansion(out, e)
		}
	}
	return out, nil
}

// codingSet is a set of codings.
type codingSet map[search.Coding]bool

func setOf(cs []search.Coding) codingSet {
	s := make(codingSet, len(cs))
	for _, c := range cs {
		s[c] = true
	}
	return s
}

// vsHas reports whether e contains c.
func vsHas(e *search.Expansion, codes, excluded codingSet, c search.Coding) bool {
	if codes[c] {
		return true
	}
	for _, s := range e.Systems {
		if s == c.System {
			return !excluded[c]
		}
	}
	return false
}

// vsMember returns e's membership test.
func vsMember(e *search.Expansion) func(search.Coding) bool {
	codes, excluded := setOf(e.Codes), setOf(e.Excluded)
	return func(c search.Coding) bool { return vsHas(e, codes, excluded, c) }
}

func unionExpansion(a, b *search.Expansion) *search.Expansion {
	inA, inB := vsMember(a), vsMember(b)
	out := &search.Expansion{
		Codes:   uniqueCodings(append(append([]search.Coding(nil), a.Codes...), b.Codes...)),
		Systems: uniqueStrings(append(append([]string(nil), a.Systems...), b.Systems...)),
	}
	for _, c := range append(append([]search.Coding(nil), a.Excluded...), b.Excluded...) {
		if !inA(c) && !inB(c) {
			out.Excluded = append(out.Excluded, c)
		}
	}
	out.Excluded = uniqueCodings(out.Excluded)
	return out
}

func intersectExpansion(a, b *search.Expansion) *search.Expansion {
	inA, inB := vsMember(a), vsMember(b)
	out := &search.Expansion{}
	for _, c := range a.Codes {
		if inB(c) {
			out.Codes = append(out.Codes, c)
		}
	}
	for _, c := range b.Codes {
		if inA(c) {
			out.Codes = append(out.Codes, c)
		}
	}
	for _, s := range a.Systems {
		for _, t := range b.Systems {
			if s == t {
				out.Systems = append(out.Systems, s)
			}
		}
	}
	out.Codes = uniqueCodings(out.Codes)
	out.Excluded = uniqueCodings(append(append([]search.Coding(nil), a.Excluded...), b.Excluded...))
	return out
}

// minusExpansion is a without x. Where both hold a whole system, what
// remains of it is the codes x excludes from it: those become listed.
func minusExpansion(a, x *search.Expansion) *search.Expansion {
	inA, inX := vsMember(a), vsMember(x)
	out := &search.Expansion{}
	for _, c := range a.Codes {
		if !inX(c) {
			out.Codes = append(out.Codes, c)
		}
	}
	whole := map[string]bool{}
	for _, s := range x.Systems {
		whole[s] = true
	}
	for _, c := range x.Excluded {
		if whole[c.System] && inA(c) && !inX(c) {
			out.Codes = append(out.Codes, c)
		}
	}
	for _, s := range a.Systems {
		if !whole[s] {
			out.Systems = append(out.Systems, s)
		}
	}
	out.Codes = uniqueCodings(out.Codes)
	out.Excluded = uniqueCodings(append(append([]search.Coding(nil), a.Excluded...), x.Codes...))
	return out
}

func uniqueCodings(cs []search.Coding) []search.Coding {
	seen := make(codingSet, len(cs))
	out := cs[:0]
	for _, c := range cs {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

func uniqueStrings(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// valueEscaper escapes the characters that separate search values
// (https://hl7.org/fhir/R4/search.html#escaping).
var valueEscaper = strings.NewReplacer(`\`, `\\`, `,`, `\,`, `|`, `\|`, `$`, `\$`)

// escapeValue makes s one literal search value.
func escapeValue(s string) string { return valueEscaper.Replace(s) }
