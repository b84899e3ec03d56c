package search

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fhirlake/fhirlake/fhir"
)

// Query is a parsed FHIR search request on one resource type
// (https://hl7.org/fhir/R4/search.html): the criteria, which all must
// hold (repetition is AND), and the result parameters.
type Query struct {
	Type     string
	Criteria []Criterion
	// Sort keys in order; ties are broken by id, for stable pages.
	Sort   []SortKey
	Count  int // _count: the page size, -1 when not given
	Offset int // _offset: the page start, from a link of a sorted search
	// After is the page cursor from a next link: only matches after it.
	// For an unsorted search it is the last id, for a sorted one an
	// opaque cursor with the last row's sort keys (see cursor.go);
	// NewPlan checks it. Unlike an offset it stays right while
	// resources are added or removed before it.
	After       string
	Total       string // none, estimate, accurate, or "" (the server's choice)
	Summary     string // true, text, data, count, false, or ""
	Elements    []string
	Includes    []Include
	RevIncludes []Include
	// Compartment, when set, restricts the search to a compartment (see
	// InCompartment).
	Compartment *Compartment
	// Ignored lists the parameters that were not understood and, the
	// handling being lenient, ignored; the server reports them.
	Ignored []string
}

// Criterion is one search parameter of a Query: a match on any of Values
// (comma is OR).
type Criterion struct {
	Param *Param
	// Modifier is the modifier after ':' (exact, contains, text, not,
	// missing, above, below, in, not-in, of-type, identifier), "" for
	// none, or a resource type restricting a reference.
	Modifier string
	// Chain, when set, is the criterion the referenced resources must
	// meet (subject:Patient.name=x); Values is then empty. Targets are the
	// resource types the chain may go to.
	Chain   *Criterion
	Targets []string
	// Has, when set, is a reverse chain (_has:Type:param:...): resources
	// of Has.Type that refer to the searched one through Has.Ref and meet
	// Has.Criterion.
	Has *HasClause
	// Missing is set for :missing=true|false.
	Missing *bool
	Values  []Value
}

// HasClause is the `_has:Type:param:` part of a reverse chain.
type HasClause struct {
	Type      string
	Ref       *Param
	Criterion Criterion
}

// Value is one value of a criterion, parsed for the parameter's type.
type Value struct {
	Raw    string
	Prefix Prefix
	// Token: System|Code; HasSystem tells "|code" (no system) from
	// "code" (any system).
	System    string
	HasSystem bool
	Code      string
	// Ident is the identifier value of a token :of-type search
	// (type-system|type-code|value), whose System and Code are the
	// identifier type's.
	Ident string
	// String: the value normalized like indexed strings (see Normalize).
	Norm string
	// Date, Number, Quantity: the range the value denotes, by its
	// precision.
	Low, High       time.Time
	Number          float64
	NumLow, NumHigh float64
	// Quantity: the unit, and the canonical form when UCUM knows it.
	Unit           string
	CanonicalCode  string
	CanonicalValue float64
	// Reference: type and id, or an absolute URL.
	RefType, RefID, URL string
	// Composite: the value of each component.
	Parts []Value
	// Expansion is the value set of a token :in or :not-in value (whose
	// URL is the value set's), set by Query.ResolveValueSets.
	Expansion *Expansion
	// Near is the point and distance of a Location near value.
	Near *Near
}

// Prefix is the comparison of a date, number or quantity value.
type Prefix uint8

// The prefixes of FHIR R4 search.
const (
	EQ Prefix = iota
	NE
	GT
	LT
	GE
	LE
	SA
	EB
	AP
)

var prefixNames = [...]string{"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"}

func (p Prefix) String() string { return prefixNames[p] }

// SortKey is one key of _sort.
type SortKey struct {
	Param *Param
	Desc  bool
}

// Include is one _include or _revinclude: resources of Source whose
// parameter Param refers to the matches (revinclude), or that the matches'
// Param refers to (include), optionally restricted to Target; Wildcard is
// `*` (every reference parameter of Source).
type Include struct {
	Source   string
	Param    *Param
	Target   string
	Wildcard bool
	Iterate  bool
}

// QueryError is a search parameter the server cannot evaluate: a
// malformed value, a modifier its type does not take, or, under strict
// handling, an unknown parameter. It becomes a 400 naming Param.
type QueryError struct {
	Param  string
	Reason string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("search parameter %q: %s", e.Param, e.Reason)
}

// Limits on what a request may ask, against abuse.
const (
	maxValueLen  = 4096
	maxChain     = 4
	maxCriteria  = 64
	maxOrValues  = 256
	defaultCount = 50
	maxCount     = 1000
)

// resultParams are read by ParseQuery; formatParams belong to the HTTP
// layer and are skipped.
var formatParams = map[string]bool{"_format": true, "_pretty": true}

// ParseQuery parses the search parameters q of a search on typ. Unknown
// parameters are ignored (and listed in Query.Ignored) unless strict,
// when they are an error like any malformed one; every error is a
// *QueryError.
func ParseQuery(typ string, q url.Values, strict bool) (*Query, error) {
	if !fhir.IsResourceType(typ) {
		return nil, &QueryError{Param: "", Reason: fmt.Sprintf("%q is not a FHIR R4 resource type", typ)}
	}
	out := &Query{Type: typ, Count: -1}
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names) // deterministic plans and errors
	for _, name := range names {
		for _, raw := range q[name] {
			if len(raw) > maxValueLen {
				return nil, &QueryError{name, fmt.Sprintf("value longer than %d bytes", maxValueLen)}
			}
			if !utf8.ValidString(raw) || !utf8.ValidString(name) {
				return nil, &QueryError{strings.ToValidUTF8(name, "\uFFFD"), "not valid UTF-8"}
			}
			if err := out.add(name, raw, strict); err != nil {
				return nil, err
			}
		}
	}
	if len(out.Criteria) > maxCriteria {
		return nil, &QueryError{"", fmt.Sprintf("more than %d search criteria", maxCriteria)}
	}
	return out, nil
}

func (out *Query) add(name, raw string, strict bool) error {
	switch name {
	case "_count":
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return &QueryError{name, fmt.Sprintf("%q is not a non-negative integer", raw)}
		}
		out.Count = min(n, maxCount)
		return nil
	case "_offset":
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return &QueryError{name, fmt.Sprintf("%q is not a non-negative integer", raw)}
		}
		out.Offset = n
		return nil
	case "_after":
		if !fhir.ValidID(raw) && !isCursor(raw) {
			return &QueryError{name, fmt.Sprintf("%q is not a page cursor from a next link", raw)}
		}
		out.After = raw
		return nil
	case "_sort":
		return out.addSort(raw)
	case "_total":
		if raw != "none" && raw != "estimate" && raw != "accurate" {
			return &QueryError{name, fmt.Sprintf("%q is not none, estimate or accurate", raw)}
		}
		out.Total = raw
		return nil
	case "_summary":
		if !slices.Contains([]string{"true", "text", "data", "count", "false"}, raw) {
			return &QueryError{name, fmt.Sprintf("%q is not true, text, data, count or false", raw)}
		}
		out.Summary = raw
		return nil
	case "_elements":
		for _, e := range strings.Split(raw, ",") {
			if e = strings.TrimSpace(e); e != "" {
				out.Elements = append(out.Elements, e)
			}
		}
		return nil
	}
	if formatParams[name] {
		return nil
	}
	if name == listParam.Code {
		c, err := parseList(raw)
		if err != nil {
			return err
		}
		out.Criteria = append(out.Criteria, c)
		return nil
	}
	if base, mod, _ := strings.Cut(name, ":"); base == "_include" || base == "_revinclude" {
		inc, err := parseInclude(out.Type, name, raw, mod)
		if err != nil {
			return err
		}
		if base == "_include" {
			out.Includes = append(out.Includes, inc)
		} else {
			out.RevIncludes = append(out.RevIncludes, inc)
		}
		return nil
	}
	c, err := parseCriterion(out.Type, name, raw, 0)
	var unknown *unknownParam
	if errors.As(err, &unknown) {
		if strict {
			return &unknown.QueryError
		}
		out.Ignored = append(out.Ignored, name)
		return nil
	}
	if err != nil {
		return err
	}
	out.Criteria = append(out.Criteria, c)
	return nil
}

// unknownParam is a parameter name the type does not have.
type unknownParam struct{ QueryError }

func newUnknown(name, typ string) error {
	return &unknownParam{QueryError{name, fmt.Sprintf("%s has no search parameter of that name", typ)}}
}

// parseCriterion parses one `name=raw` of a search on typ; depth counts
// the chain links already followed.
func parseCriterion(typ, name, raw string, depth int) (Criterion, error) {
	if depth > maxChain {
		return Criterion{}, &QueryError{name, fmt.Sprintf("chains deeper than %d links are not supported", maxChain)}
	}
	if rest, ok := strings.CutPrefix(name, "_has:"); ok {
		return parseHas(typ, name, rest, raw, depth)
	}
	head, chained, isChain := strings.Cut(name, ".")
	code, mod, _ := strings.Cut(head, ":")
	p, ok := Lookup(typ, code)
	if !ok {
		return Criterion{}, newUnknown(name, typ)
	}
	c := Criterion{Param: p, Modifier: mod}
	if isChain {
		if p.Type != Reference {
			return Criterion{}, &QueryError{name, fmt.Sprintf("only reference parameters can be chained; %s is a %s", code, p.Type)}
		}
		targets := p.Targets
		if mod != "" {
			if !slices.Contains(p.Targets, mod) {
				return Criterion{}, &QueryError{name, fmt.Sprintf("%s does not refer to %s", code, mod)}
			}
			targets = []string{mod}
		}
		var chain *Criterion
		var reachable []string
		for _, t := range targets {
			next, err := parseCriterion(t, chained, raw, depth+1)
			var unknown *unknownParam
			if errors.As(err, &unknown) {
				continue // this target type has no such parameter
			}
			if err != nil {
				return Criterion{}, err
			}
			if chain == nil {
				chain = &next
			}
			reachable = append(reachable, t)
		}
		if chain == nil {
			return Criterion{}, &unknownParam{QueryError{name, fmt.Sprintf("no resource type %s refers to (%s) has a search parameter %q",
				code, strings.Join(targets, ", "), strings.SplitN(strings.SplitN(chained, ".", 2)[0], ":", 2)[0])}}
		}
		c.Chain, c.Targets, c.Modifier = chain, reachable, ""
		return c, nil
	}
	if mod == "missing" {
		switch raw {
		case "true", "false":
			b := raw == "true"
			c.Missing = &b
			return c, nil
		}
		return Criterion{}, &QueryError{name, fmt.Sprintf(":missing takes true or false, not %q", raw)}
	}
	if err := checkModifier(p, mod); err != nil {
		return Criterion{}, &QueryError{name, err.Error()}
	}
	parts := splitValues(raw)
	if len(parts) > maxOrValues {
		return Criterion{}, &QueryError{name, fmt.Sprintf("more than %d values", maxOrValues)}
	}
	if len(parts) > 1 && p.NoMultipleOr {
		return Criterion{}, &QueryError{name, "this parameter takes one value (no comma)"}
	}
	for _, s := range parts {
		v, err := parseValue(p, mod, s)
		if err != nil {
			return Criterion{}, &QueryError{name, err.Error()}
		}
		c.Values = append(c.Values, v)
	}
	return c, nil
}

// parseHas parses `_has:Type:ref:rest`.
func parseHas(typ, name, rest, raw string, depth int) (Criterion, error) {
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) < 3 {
		return Criterion{}, &QueryError{name, "_has needs _has:Type:reference-parameter:parameter"}
	}
	src, refCode, inner := parts[0], parts[1], parts[2]
	if !fhir.IsResourceType(src) {
		return Criterion{}, &QueryError{name, fmt.Sprintf("%q is not a FHIR R4 resource type", src)}
	}
	ref, ok := Lookup(src, refCode)
	if !ok || ref.Type != Reference {
		return Criterion{}, &QueryError{name, fmt.Sprintf("%s has no reference parameter %q", src, refCode)}
	}
	if len(ref.Targets) > 0 && !slices.Contains(ref.Targets, typ) {
		return Criterion{}, &QueryError{name, fmt.Sprintf("%s.%s does not refer to %s", src, refCode, typ)}
	}
	c, err := parseCriterion(src, inner, raw, depth+1)
	if err != nil {
		var unknown *unknownParam
		if errors.As(err, &unknown) {
			return Criterion{}, &QueryError{name, unknown.Reason}
		}
		return Criterion{}, err
	}
	return Criterion{Param: ref, Has: &HasClause{Type: src, Ref: ref, Criterion: c}}, nil
}

// modifiersByType are the modifiers FHIR R4 defines per parameter type
// (besides missing, and a resource type on references).
var modifiersByType = map[Type][]string{
	String:    {"exact", "contains"},
	Token:     {"text", "not", "above", "below", "in", "not-in", "of-type"},
	Reference: {"identifier", "above", "below"},
	URI:       {"above", "below"},
}

func checkModifier(p *Param, mod string) error {
	if mod == "" || slices.Contains(modifiersByType[p.Type], mod) {
		return nil
	}
	if p.Type == Reference && fhir.IsResourceType(mod) {
		if len(p.Targets) > 0 && !slices.Contains(p.Targets, mod) {
			return fmt.Errorf("%s does not refer to %s", p.Code, mod)
		}
		return nil
	}
	return fmt.Errorf("modifier :%s does not apply to a %s parameter", mod, p.Type)
}

// splitValues splits a value list on the commas that are not escaped
// with a backslash, and unescapes \, \$ \| \\ in each part except the
// escapes of '|' and '$', which mark separators in tokens and composites
// and are resolved by the value parsers.
func splitValues(raw string) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		switch {
		case raw[i] == '\\' && i+1 < len(raw) && raw[i+1] == ',':
			b.WriteByte(',')
			i++
		case raw[i] == ',':
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(raw[i])
		}
	}
	return append(out, b.String())
}

// cutUnescaped splits s at the first sep not preceded by a backslash and
// unescapes the two halves.
func cutUnescaped(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == sep {
			return unescape(s[:i]), s[i+1:], true
		}
	}
	return unescape(s), "", false
}

// cutUnescapedRaw splits s at the first sep not preceded by a backslash,
// leaving the escapes in both halves.
func cutUnescapedRaw(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// parsePrefix splits a leading comparison prefix off a date, number or
// quantity value.
func parsePrefix(s string) (Prefix, string) {
	if len(s) >= 2 {
		for i, name := range prefixNames {
			if strings.HasPrefix(s, name) && (len(s) == 2 || !isLetter(s[2])) {
				return Prefix(i), s[2:]
			}
		}
	}
	return EQ, s
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parseValue parses one value of p.
func parseValue(p *Param, mod, s string) (Value, error) {
	v := Value{Raw: s}
	if s == "" {
		return v, errors.New("empty value")
	}
	switch p.Type {
	case String:
		v.Norm = Normalize(unescape(s))
	case Token:
		if mod == "text" {
			v.Norm = Normalize(unescape(s))
			break
		}
		if mod == "of-type" {
			return parseOfType(v, s)
		}
		if mod == "in" || mod == "not-in" {
			v.URL = unescape(s)
			break
		}
		sys, code, has := cutUnescaped(s, '|')
		if has {
			v.System, v.Code, v.HasSystem = sys, unescape(code), true
		} else {
			v.Code = sys
		}
		if v.Code == "" && !has {
			return v, errors.New("empty token")
		}
	case URI:
		v.URL = unescape(s)
	case Date:
		pre, rest := parsePrefix(s)
		lo, hi, ok := DateRange(rest)
		if !ok {
			return v, fmt.Errorf("%q is not a FHIR date, dateTime or instant", s)
		}
		v.Prefix, v.Low, v.High = pre, lo, hi
	case Number:
		pre, rest := parsePrefix(s)
		n, lo, hi, ok := DecimalRange(rest)
		if !ok {
			return v, fmt.Errorf("%q is not a number", s)
		}
		v.Prefix, v.Number, v.NumLow, v.NumHigh = pre, n, lo, hi
	case Quantity:
		pre, rest := parsePrefix(s)
		num, unitPart, _ := cutUnescaped(rest, '|')
		n, lo, hi, ok := DecimalRange(num)
		if !ok {
			return v, fmt.Errorf("%q does not start with a number", s)
		}
		v.Prefix, v.Number, v.NumLow, v.NumHigh = pre, n, lo, hi
		if unitPart != "" {
			sys, code, has := cutUnescaped(unitPart, '|')
			if has {
				v.System, v.Unit = sys, unescape(code)
			} else {
				v.Unit = sys
			}
			if v.System == "" || v.System == UCUMSystem {
				if cv, cc, ok := Canonical(n, v.Unit); ok {
					v.CanonicalValue, v.CanonicalCode = cv, cc
				}
			}
		}
	case Reference:
		if mod == "identifier" {
			sys, code, has := cutUnescaped(s, '|')
			if has {
				v.System, v.Code, v.HasSystem = sys, unescape(code), true
			} else {
				v.Code = sys
			}
			break
		}
		s = unescape(s)
		switch {
		case strings.Contains(s, "://") || strings.HasPrefix(s, "urn:"):
			v.URL = s
			if r, ok := ParseReference(s); ok {
				v.RefType, v.RefID = r.TargetType, r.TargetID
			}
		case strings.Contains(s, "/"):
			t, id, _ := strings.Cut(s, "/")
			if id, _, _ = strings.Cut(id, "/"); !fhir.IsResourceType(t) || !fhir.ValidID(id) {
				return v, fmt.Errorf("%q is not a Type/id reference", s)
			}
			v.RefType, v.RefID = t, id
		default:
			if !fhir.ValidID(s) {
				return v, fmt.Errorf("%q is not a resource id", s)
			}
			v.RefID = s
			switch {
			case mod != "":
				v.RefType = mod
			case len(p.Targets) == 1:
				// As extraction types an untyped reference of such a
				// parameter (patient=123 is Patient/123).
				v.RefType = p.Targets[0]
			}
		}
	case Composite:
		// Components are separated by '$', each parsed for the type of
		// its component parameter.
		rest := s
		for i, comp := range p.Components {
			var part string
			var more bool
			if i < len(p.Components)-1 {
				part, rest, more = cutUnescapedRaw(rest, '$')
				if !more {
					return v, fmt.Errorf("%q has %d of the %d components (separated by $)", s, i+1, len(p.Components))
				}
			} else {
				part = rest
			}
			pv, err := parseValue(&Param{Code: comp.Code, Type: comp.Type}, "", part)
			if err != nil {
				return v, fmt.Errorf("component %d (%s): %w", i+1, comp.Code, err)
			}
			v.Parts = append(v.Parts, pv)
		}
	case Special:
		if p.Code != "near" {
			return v, fmt.Errorf("%s parameters are not supported", p.Type)
		}
		return parseNear(v, s)
	default:
		return v, fmt.Errorf("%s parameters are not supported", p.Type)
	}
	if math.IsNaN(v.NumLow) {
		return v, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}

// addSort parses _sort=a,-b.
func (out *Query) addSort(raw string) error {
	for _, k := range strings.Split(raw, ",") {
		k = strings.TrimSpace(k)
		desc := strings.HasPrefix(k, "-")
		code := strings.TrimPrefix(k, "-")
		p, ok := Lookup(out.Type, code)
		if !ok {
			return &QueryError{"_sort", fmt.Sprintf("%s has no search parameter %q", out.Type, code)}
		}
		if p.Type == Composite || p.Type == Special {
			return &QueryError{"_sort", fmt.Sprintf("cannot sort on the %s parameter %q", p.Type, code)}
		}
		out.Sort = append(out.Sort, SortKey{Param: p, Desc: desc})
	}
	return nil
}

// parseInclude parses _include=Source:param[:Target] (or *), with the
// iterate modifier.
func parseInclude(typ, name, raw, mod string) (Include, error) {
	if mod != "" && mod != "iterate" && mod != "recurse" {
		return Include{}, &QueryError{name, fmt.Sprintf("modifier :%s does not apply (only :iterate)", mod)}
	}
	inc := Include{Iterate: mod != ""}
	if raw == "*" {
		inc.Source, inc.Wildcard = typ, true
		return inc, nil
	}
	parts := strings.Split(raw, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return Include{}, &QueryError{name, fmt.Sprintf("%q is not Source:parameter[:Target]", raw)}
	}
	inc.Source = parts[0]
	if !fhir.IsResourceType(inc.Source) {
		return Include{}, &QueryError{name, fmt.Sprintf("%q is not a FHIR R4 resource type", inc.Source)}
	}
	if parts[1] == "*" {
		inc.Wildcard = true
	} else {
		p, ok := Lookup(inc.Source, parts[1])
		if !ok || p.Type != Reference {
			return Include{}, &QueryError{name, fmt.Sprintf("%s has no reference parameter %q", inc.Source, parts[1])}
		}
		inc.Param = p
	}
	if len(parts) == 3 {
		inc.Target = parts[2]
		if !fhir.IsResourceType(inc.Target) {
			return Include{}, &QueryError{name, fmt.Sprintf("%q is not a FHIR R4 resource type", inc.Target)}
		}
	}
	return inc, nil
}

// PageSize returns the page size the query asks for (0: only the total,
// as with _summary=count or _count=0), or the default.
func (q *Query) PageSize() int {
	switch {
	case q.Summary == "count":
		return 0
	case q.Count >= 0:
		return q.Count
	}
	return defaultCount
}

// parseOfType parses the type-system|type-code|value of :of-type; the
// type code and the value are required, an empty system matches any.
func parseOfType(v Value, s string) (Value, error) {
	sys, rest, ok1 := cutUnescapedRaw(s, '|')
	code, val, ok2 := cutUnescapedRaw(rest, '|')
	if !ok1 || !ok2 || code == "" || val == "" {
		return v, fmt.Errorf("%q is not type-system|type-code|value", s)
	}
	v.System, v.Code, v.Ident, v.HasSystem = unescape(sys), unescape(code), unescape(val), sys != ""
	return v, nil
}
