package r4

import (
	"errors"
	"fmt"
)

// ErrSummaryMode is returned by Summarize for a mode other than true,
// text, data or false.
var ErrSummaryMode = errors.New("r4: unknown _summary mode")

// action is what shaping does with one member.
type action uint8

const (
	drop    action = iota
	keep           // copy the value as it is
	descend        // keep the member, filtering a backbone element's children
)

// filter decides the action for a member named key ("_x" siblings use x);
// p is its definition when known, and top is true for the resource's own
// members.
type filter func(key string, p prop, known bool, top bool) action

// Summarize returns body shaped for _summary (mode "true", "text", "data"
// or "false"; "count" is the caller's business) per
// https://hl7.org/fhir/R4/search.html#summary:
//
//   - "true" keeps resourceType, id, meta and the isSummary elements; for
//     backbone elements it keeps their isSummary children, recursively,
//     and complex datatypes are kept whole;
//   - "text" keeps resourceType, id, meta, text and the mandatory (min > 0)
//     top-level elements;
//   - "data" removes text;
//   - "false" returns the resource unchanged (compacted).
//
// When anything was removed, meta.tag gets the SUBSETTED code. Member
// order is kept and the output is compact JSON.
func Summarize(body []byte, mode string) ([]byte, error) {
	var f filter
	switch mode {
	case "true":
		f = func(key string, p prop, known, top bool) action {
			switch {
			case top && (key == "id" || key == "meta"):
				return keep
			case !known || !p.elem.summary:
				return drop
			case p.typ.kind == kindBackbone:
				return descend
			}
			return keep
		}
	case "text":
		f = func(key string, p prop, known, top bool) action {
			if key == "id" || key == "meta" || key == "text" || known && p.elem.min > 0 {
				return keep
			}
			return drop
		}
	case "data":
		f = func(key string, p prop, known, top bool) action {
			if key == "text" {
				return drop
			}
			return keep
		}
	case "false":
		f = func(string, prop, bool, bool) action { return keep }
	default:
		return nil, fmt.Errorf("%w %q", ErrSummaryMode, mode)
	}
	out, err := shape(body, f)
	if err != nil {
		return nil, fmt.Errorf("r4: _summary=%s: %w", mode, err)
	}
	return out, nil
}

// Elements keeps only the named top-level elements, plus resourceType, id,
// meta and the mandatory (min > 0) elements, and adds the SUBSETTED tag
// when anything was removed. A name matches the JSON member name
// ("valueQuantity"), the element name ("value") or its definition name
// ("value[x]"); a primitive's "_x" sibling follows it. Names that match
// nothing, including nested paths such as "name.family", are ignored.
func Elements(body []byte, elements []string) ([]byte, error) {
	want := make(map[string]bool, len(elements))
	for _, e := range elements {
		want[e] = true
	}
	f := func(key string, p prop, known, top bool) action {
		switch {
		case key == "id" || key == "meta" || want[key]:
			return keep
		case known && (p.elem.min > 0 || want[p.elem.base] || want[p.elem.name]):
			return keep
		}
		return drop
	}
	out, err := shape(body, f)
	if err != nil {
		return nil, fmt.Errorf("r4: _elements: %w", err)
	}
	return out, nil
}
