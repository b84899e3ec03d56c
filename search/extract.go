package search

import (
	"errors"
	"fmt"
	"sync"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// ErrNotResource is returned by Extract for JSON that is not an object
// with a known resourceType.
var ErrNotResource = errors.New("search: not a FHIR resource")

// ParamError reports a parameter whose expression failed on a resource,
// for example a FHIRPath singleton rule broken by unexpected data.
type ParamError struct {
	Base, Code string
	Err        error
}

// Error implements error.
func (e *ParamError) Error() string {
	return fmt.Sprintf("search: parameter %s.%s: %v", e.Base, e.Code, e.Err)
}

// Unwrap returns the evaluation error.
func (e *ParamError) Unwrap() error { return e.Err }

// extractor holds the reusable state of one extraction.
type extractor struct {
	dec   fhirpath.Decoder
	env   fhirpath.Env
	in    fhirpath.Collection
	focus fhirpath.Collection // the element a composite's component reads
	tmp   Values              // per-component scratch for composites
	root  *fhirpath.Node
}

var extractors = sync.Pool{New: func() any { return new(extractor) }}

// Extract decodes a resource and evaluates every search parameter of its
// type (see [Params]), returning their index values. _text and _content,
// which have no expression, are extracted as extract_text.go describes;
// _query yields nothing. Contained resources are not indexed on their own. Extract is safe for concurrent use; body
// is not retained (the strings of the values are copied from it).
//
// The error is ErrNotResource (wrapped) or a JSON syntax error when body
// is not a resource. When individual parameters fail to evaluate, Extract
// returns the values of all the others together with an error joining one
// *ParamError per failed parameter.
func Extract(body []byte) (Values, error) {
	x := extractors.Get().(*extractor)
	defer extractors.Put(x)
	return x.extract(body)
}

func (x *extractor) extract(body []byte) (Values, error) {
	root, err := x.dec.Decode(body)
	if err != nil {
		return Values{}, fmt.Errorf("search: %w", err)
	}
	rt := root.Get("resourceType")
	if root.Kind != fhirpath.KindObject || rt == nil || rt.Kind != fhirpath.KindString {
		return Values{}, fmt.Errorf("%w: no resourceType", ErrNotResource)
	}
	ps := Params(rt.Str)
	if ps == nil {
		return Values{}, fmt.Errorf("%w: unknown resourceType %q", ErrNotResource, rt.Str)
	}
	out := Values{ResourceType: rt.Str}
	if id := root.Get("id"); id != nil && id.Kind == fhirpath.KindString {
		out.ID = id.Str
	}
	x.root = root
	x.env.Resource = root
	x.in = append(x.in[:0], fhirpath.Value{N: root})
	var errs []error
	for _, p := range ps {
		if err := x.param(p, &out); err != nil {
			errs = append(errs, &ParamError{Base: p.Base, Code: p.Code, Err: err})
		}
	}
	addFullText(&out, root, isDomainResource(rt.Str))
	x.root, x.env.Resource = nil, nil
	return out, errors.Join(errs...)
}

// param evaluates one parameter and appends its values to out.
func (x *extractor) param(p *Param, out *Values) error {
	nt, ns, nd, nr, nu := len(out.Tokens), len(out.Strings), len(out.Dates), len(out.References), len(out.URIs)
	for _, b := range p.branches {
		x.env.Reset()
		c, err := fhirpath.Eval(b, &x.env, x.in)
		if err != nil {
			return err
		}
		if p.Type == Composite {
			if err := x.composite(p, c, out); err != nil {
				return err
			}
			continue
		}
		for _, v := range c {
			x.add(p.Code, p.Type, p.Targets, v, out)
		}
	}
	out.Tokens = dedupe(out.Tokens, nt)
	out.Strings = dedupe(out.Strings, ns)
	out.Dates = dedupe(out.Dates, nd)
	out.References = dedupe(out.References, nr)
	out.URIs = dedupe(out.URIs, nu)
	return nil
}

// dedupe removes repeated values from s[from:], the values of one
// parameter (a patient's two names often share given names).
func dedupe[T comparable](s []T, from int) []T {
	if len(s)-from < 2 {
		return s
	}
	out := s[:from+1]
	for _, v := range s[from+1:] {
		dup := false
		for _, o := range out[from:] {
			if o == v {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// add converts one FHIRPath item to the index values of a parameter of
// type typ. Items of a shape the type does not index are ignored.
func (x *extractor) add(code string, typ Type, targets []string, v fhirpath.Value, out *Values) {
	switch typ {
	case Token:
		addToken(out, code, v)
	case String:
		addString(out, code, v)
	case Date:
		addDate(out, code, v)
	case Number:
		addNumber(out, code, v)
	case Quantity:
		addQuantity(out, code, v)
	case Reference:
		addReference(out, code, targets, v, x.root)
	case URI:
		if v.N.Kind == fhirpath.KindString {
			out.URIs = append(out.URIs, URIValue{Param: code, Value: v.N.Str})
		}
	case Special:
		addPosition(out, code, v)
	}
}

// addPosition reads a Location.position.
func addPosition(out *Values, code string, v fhirpath.Value) {
	lat, ok1 := numberField(v.N, "latitude")
	lon, ok2 := numberField(v.N, "longitude")
	if ok1 && ok2 {
		out.Positions = append(out.Positions, PositionValue{Param: code, Latitude: lat, Longitude: lon})
	}
}

// str returns the string field name of n, or "".
func str(n *fhirpath.Node, name string) string {
	if f := n.Get(name); f != nil && f.Kind == fhirpath.KindString {
		return f.Str
	}
	return ""
}
