package search

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
	"github.com/stretchr/testify/require"
)

// TestSyntheticCoverage exercises every parameter, including those of
// types that have no R4 example: it builds, from the parameter's own
// (compiled) expression, a minimal resource that holds a value at the
// expression's path (with the choice suffix of an as(T), the fields a
// where(x = 'v') tests and a reference to the type a where(resolve() is T)
// wants), extracts it, and requires a value for the parameter.
func TestSyntheticCoverage(t *testing.T) {
	n := 0
	var failed []string
	for _, p := range All() {
		if p.expr == nil {
			continue
		}
		res, err := synthesize(p)
		require.NoError(t, err, "%s.%s: %s", p.Base, p.Code, p.Expression)
		body, err := json.Marshal(res)
		require.NoError(t, err)
		v, err := Extract(body)
		require.NoError(t, err, "%s", body)
		if !slices.Contains(valueCodes(&v), p.Code) {
			failed = append(failed, fmt.Sprintf("%s.%s: %s\n\t%s", p.Base, p.Code, p.Expression, body))
			continue
		}
		n++
	}
	t.Logf("%d parameters yield values from synthetic resources", n)
	require.Empty(t, failed, strings.Join(failed, "\n"))
}

// step is one element on a path: its name, the type an as() selects, the
// values its where() tests and the resource type where(resolve() is T)
// wants.
type step struct {
	name, asType, resolveIs, extURL string
	conds                           map[string]string
}

func synthesize(p *Param) (map[string]any, error) {
	base := p.Base
	if base == "Resource" || base == "DomainResource" {
		base = "Patient"
	}
	root := map[string]any{"resourceType": base, "id": "x1"}
	if b, ok := p.expr.(*fhirpath.Binary); ok && b.Op != "|" {
		// A computed boolean (Patient.deceased.exists() and ...) has a
		// value for any resource.
		return root, nil
	}
	path, err := pathOf(firstBranch(p.expr))
	if err != nil {
		return nil, err
	}
	if p.Type != Composite {
		last := step{}
		if len(path) > 0 {
			last = path[len(path)-1]
		}
		place(root, path, leaf(p.Type, last, p.Targets))
		return root, nil
	}
	elem := map[string]any{}
	for _, c := range p.Components {
		cpath, err := pathOf(firstBranch(c.expr))
		if err != nil {
			return nil, err
		}
		target := elem
		if len(cpath) > 0 && cpath[0].name == "%resource" {
			target, cpath = root, cpath[1:]
		}
		last := cpath[len(cpath)-1]
		place(target, cpath, leaf(c.Type, last, c.targets))
	}
	if len(path) == 0 {
		for k, v := range elem {
			root[k] = v
		}
		return root, nil
	}
	place(root, path, elem)
	return root, nil
}

// firstBranch returns the left-most operand of a union.
func firstBranch(e fhirpath.Expr) fhirpath.Expr {
	for {
		b, ok := e.(*fhirpath.Binary)
		if !ok || b.Op != "|" {
			return e
		}
		e = b.L
	}
}

// pathOf turns a path expression into steps; a leading type name is the
// resource itself and gives no step.
func pathOf(e fhirpath.Expr) ([]step, error) {
	switch x := e.(type) {
	case *fhirpath.Ident:
		if x.Name[0] >= 'A' && x.Name[0] <= 'Z' {
			return nil, nil
		}
		return []step{{name: x.Name}}, nil
	case *fhirpath.External:
		return []step{{name: "%" + x.Name}}, nil
	case *fhirpath.Member:
		s, err := pathOf(x.Target)
		return append(s, step{name: x.Name}), err
	case *fhirpath.Index:
		return pathOf(x.Target)
	case *fhirpath.Call:
		s, err := pathOf(x.Target)
		if err != nil {
			return nil, err
		}
		return callStep(x, s)
	}
	return nil, fmt.Errorf("cannot synthesize %s", e)
}

func callStep(x *fhirpath.Call, s []step) ([]step, error) {
	switch x.Name {
	case "as", "ofType":
		s[len(s)-1].asType = strings.TrimPrefix(x.Args[0].String(), "FHIR.")
	case "first":
	case "extension":
		url := strings.Trim(x.Args[0].String(), "'")
		s = append(s, step{name: "extension", extURL: url})
	case "where":
		last := &s[len(s)-1]
		switch a := x.Args[0].(type) {
		case *fhirpath.TypeOp:
			last.resolveIs = a.Type
		case *fhirpath.Binary:
			if a.Op != "=" {
				return nil, fmt.Errorf("cannot synthesize %s", x)
			}
			if last.conds == nil {
				last.conds = map[string]string{}
			}
			last.conds[a.L.String()] = strings.Trim(a.R.String(), "'")
		default:
			return nil, fmt.Errorf("cannot synthesize %s", x)
		}
	default:
		return nil, fmt.Errorf("cannot synthesize %s", x)
	}
	return s, nil
}

// place puts v at path below obj, creating objects on the way.
func place(obj map[string]any, path []step, v any) {
	for i, s := range path {
		name := s.name
		if s.asType != "" {
			name += strings.ToUpper(s.asType[:1]) + s.asType[1:]
		}
		if i == len(path)-1 {
			obj[name] = v
			for k, c := range s.conds {
				obj[k] = c
			}
			if m, ok := v.(map[string]any); ok {
				for k, c := range s.conds {
					m[k] = c
				}
			}
			return
		}
		child, ok := obj[name].(map[string]any)
		if !ok {
			child = map[string]any{}
			if s.extURL != "" {
				child["url"] = s.extURL
			}
			for k, c := range s.conds {
				child[k] = c
			}
			obj[name] = child
		}
		obj = child
	}
}

// leaf returns a value of the element type the step selects, or else one
// fitting the parameter type.
func leaf(typ Type, s step, targets []string) any {
	switch s.asType {
	case "Quantity", "Age", "Duration", "SimpleQuantity":
		return map[string]any{"value": 1.5, "system": UCUMSystem, "code": "mg"}
	case "Money":
		return map[string]any{"value": 1.5, "currency": "USD"}
	case "Range":
		return map[string]any{"low": map[string]any{"value": 1}}
	case "SampledData":
		return map[string]any{"origin": map[string]any{"value": 1}}
	case "CodeableConcept":
		return map[string]any{"coding": []any{map[string]any{"system": "http://s", "code": "c"}}}
	case "Identifier":
		return map[string]any{"system": "http://s", "value": "v"}
	case "Period":
		return map[string]any{"start": "2020-01-01"}
	case "Reference":
		return reference(s, targets)
	case "dateTime", "date", "instant", "DateTime":
		return "2020-01-01"
	case "boolean":
		return true
	case "decimal", "integer":
		return 1
	case "string", "uri", "canonical", "code":
		return "x"
	}
	switch typ {
	case Token:
		return map[string]any{"system": "http://s", "code": "c"}
	case String:
		return "Abc"
	case Date:
		return "2020-01-01"
	case Number:
		return 1
	case Quantity:
		return map[string]any{"value": 1.5, "system": UCUMSystem, "code": "mg"}
	case Reference:
		return reference(s, targets)
	case URI:
		return "http://u"
	case Special:
		return map[string]any{"latitude": 1, "longitude": 2}
	}
	return "x"
}

func reference(s step, targets []string) map[string]any {
	t := s.resolveIs
	if t == "" && len(targets) > 0 {
		t = targets[0]
	}
	if t == "" || t == "Any" {
		t = "Patient"
	}
	return map[string]any{"reference": t + "/r1"}
}
