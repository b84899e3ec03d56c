package flatten

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// Evaluate turns one resource into rows of Go values, in schema column
// order. resource is JSON as []byte, json.RawMessage or string, or any
// value encoding/json can marshal (such as a map[string]any).
//
// Values keep their JSON form rather than the Arrow column type, which is
// what the SQL-on-FHIR conformance tests compare: strings are string,
// numbers json.Number, booleans bool, objects and arrays json.RawMessage,
// a missing value nil, and a collection column []any. A resource of
// another type than the view's, or one its where clause rejects, gives no
// rows.
func (v *View) Evaluate(resource any) ([][]any, error) {
	return v.evaluate(resource, true)
}

// evaluate is Evaluate with or without the shortcuts Builder.Append takes
// (the byte-level prefilter and the projected decoding); the differential
// tests compare both.
func (v *View) evaluate(resource any, shortcuts bool) ([][]any, error) {
	data, err := resourceBytes(resource)
	if err != nil {
		return nil, fmt.Errorf("flatten: view %q: %w", v.name, err)
	}
	var d fhirpath.Decoder
	ev := &evaluator{v: v, env: fhirpath.Env{Constants: v.constants}}
	var rows []row
	if !shortcuts || !ev.skip(&d, data) {
		var res *fhirpath.Node
		if shortcuts {
			// The values returned may be strings of the tree, so it must
			// not share memory with the caller's bytes.
			res, err = ev.decode(&d, bytes.Clone(data))
		} else {
			res, err = d.Decode(data)
		}
		if err != nil {
			return nil, fmt.Errorf("flatten: view %q: %w", v.name, err)
		}
		if rows, err = v.rowsWith(ev, res); err != nil {
			return nil, err
		}
	}
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = make([]any, len(r))
		for j, c := range r {
			out[i][j] = goValue(c, v.columns[j].collection)
		}
	}
	return out, nil
}

func resourceBytes(resource any) ([]byte, error) {
	switch r := resource.(type) {
	case []byte:
		return r, nil
	case json.RawMessage:
		return r, nil
	case string:
		return []byte(r), nil
	}
	return json.Marshal(resource)
}

// goValue converts one column value for Evaluate.
func goValue(c fhirpath.Collection, collection bool) any {
	if collection {
		out := make([]any, len(c))
		for i, v := range c {
			out[i] = nodeValue(v.N)
		}
		return out
	}
	if len(c) == 0 {
		return nil
	}
	return nodeValue(c[0].N)
}

func nodeValue(n *fhirpath.Node) any {
	switch n.Kind {
	case fhirpath.KindString:
		return n.Str
	case fhirpath.KindNumber:
		return json.Number(n.Str)
	case fhirpath.KindBool:
		return n.Bool
	case fhirpath.KindNull:
		return nil
	}
	return json.RawMessage(n.AppendJSON(nil))
}
