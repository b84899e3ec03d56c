package search

//go:generate go run ./internal/gen -in ../../shared/data/fhir-r4/search-parameters.json -out params_table.go

import (
	"sort"
	"sync"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// Type is the type of a search parameter, which decides how its values
// are indexed and matched.
type Type uint8

// The search parameter types of FHIR R4.
const (
	Number Type = iota + 1
	Date
	String
	Token
	Reference
	Composite
	Quantity
	URI
	// Special is a parameter with bespoke semantics (Location near).
	Special
)

var typeNames = [...]string{"", "number", "date", "string", "token", "reference", "composite", "quantity", "uri", "special"}

// String returns the FHIR name of t (token, reference, ...).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "invalid"
}

// Param is one search parameter on one base resource type. A
// SearchParameter with several bases becomes one Param per base, each with
// the part of the expression that applies to its base. Params are shared
// by all callers and must not be modified.
type Param struct {
	// Code is the name used in search URLs (subject, _id).
	Code string
	// URL is the canonical URL of the SearchParameter definition.
	URL string
	// Type decides the index table and matching rules.
	Type Type
	// Base is the resource type, or Resource / DomainResource for the
	// parameters every resource has.
	Base string
	// Expression is the FHIRPath expression that selects the values. It
	// is empty for _text, _content and _query, which are not extracted
	// from elements (full text is extracted by extract_text.go; named
	// queries are not supported).
	Expression string
	// Targets are the resource types a reference parameter may point to.
	Targets []string
	// Comparators are the prefixes (eq, gt, ap, ...) the definition allows.
	Comparators []string
	// Modifiers are the modifiers the definition lists (none in R4's
	// definitions; the FHIR defaults per type apply).
	Modifiers []string
	// NoMultipleOr is set when the definition forbids comma-separated
	// values (all R4 composites).
	NoMultipleOr bool
	// Components are the parts of a composite parameter.
	Components []Component

	expr     fhirpath.Expr
	branches []fhirpath.Expr // the operands of expr's top-level unions
	err      error

	oneRowOnce sync.Once
	isOneRow   bool // see oneRow
}

// Component is one part of a composite parameter: the parameter that
// defines its type and an expression relative to the composite's element.
type Component struct {
	// Definition is the canonical URL of the component's SearchParameter.
	Definition string
	// Expression selects the component's values from one element that the
	// composite's expression yields.
	Expression string
	// Code and Type are those of the Definition parameter.
	Code string
	Type Type

	targets  []string
	expr     fhirpath.Expr
	branches []fhirpath.Expr
}

// Err reports why the parameter's expression (or one of its components')
// could not be compiled; such a parameter yields no values.
func (p *Param) Err() error { return p.err }

// registry indexes paramTable; it is built on first use.
type registry struct {
	byBase  map[string][]*Param // own parameters of each base, sorted by code
	byKey   map[string]*Param   // base + "\x00" + code
	byURL   map[string]*Param
	perType map[string][]*Param // own + common parameters of each resource type
}

var (
	regOnce sync.Once
	reg     *registry
)

func params() *registry {
	regOnce.Do(func() { reg = buildRegistry() })
	return reg
}

func buildRegistry() *registry {
	r := &registry{
		byBase:  map[string][]*Param{},
		byKey:   map[string]*Param{},
		byURL:   map[string]*Param{},
		perType: map[string][]*Param{},
	}
	for i := range paramTable {
		p := &paramTable[i]
		r.byBase[p.Base] = append(r.byBase[p.Base], p)
		r.byKey[p.Base+"\x00"+p.Code] = p
		if _, ok := r.byURL[p.URL]; !ok {
			r.byURL[p.URL] = p
		}
	}
	for i := range paramTable {
		compileParam(&paramTable[i], r)
	}
	for base := range r.byBase {
		if base != "Resource" && base != "DomainResource" {
			r.perType[base] = r.merge(base)
		}
	}
	return r
}

// merge returns the parameters of a resource type: its own and those of
// Resource and (for all but Bundle, Binary and Parameters) DomainResource,
// sorted by code.
func (r *registry) merge(resourceType string) []*Param {
	out := append([]*Param(nil), r.byBase[resourceType]...)
	out = append(out, r.byBase["Resource"]...)
	if isDomainResource(resourceType) {
		out = append(out, r.byBase["DomainResource"]...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

func isDomainResource(resourceType string) bool {
	switch resourceType {
	case "Bundle", "Binary", "Parameters":
		return false
	}
	return true
}

// Lookup returns the parameter code of resourceType, including the common
// parameters (_id, _lastUpdated, ...) every resource type has.
func Lookup(resourceType, code string) (*Param, bool) {
	r := params()
	if p, ok := r.byKey[resourceType+"\x00"+code]; ok {
		return p, true
	}
	if !fhir.IsResourceType(resourceType) {
		return nil, false
	}
	if p, ok := r.byKey["Resource\x00"+code]; ok {
		return p, true
	}
	if isDomainResource(resourceType) {
		p, ok := r.byKey["DomainResource\x00"+code]
		return p, ok
	}
	return nil, false
}

// LookupURL returns the parameter whose definition has the canonical url;
// for a definition with several bases it returns the first row.
func LookupURL(url string) (*Param, bool) {
	p, ok := params().byURL[url]
	return p, ok
}

// Params returns the search parameters of resourceType, including the
// common ones, sorted by code. It returns nil for an unknown type. The
// result is shared and must not be modified.
func Params(resourceType string) []*Param {
	r := params()
	if ps, ok := r.perType[resourceType]; ok {
		return ps
	}
	if !fhir.IsResourceType(resourceType) {
		return nil
	}
	return r.merge(resourceType)
}

// All returns every row of the table (one per parameter and base), in
// table order. The result must not be modified.
func All() []*Param {
	out := make([]*Param, len(paramTable))
	for i := range paramTable {
		out[i] = &paramTable[i]
	}
	params()
	return out
}
