package search

import "github.com/fhirlake/fhirlake/flatten/fhirpath"

// maxTuples bounds the tuples one element of a composite parameter gives,
// so that an element with many codings cannot explode the index.
const maxTuples = 256

// composite appends the tuples of a composite parameter: for each element
// the parameter's expression yields, the combinations of its components'
// values. An element where some component has no value gives no tuple.
func (x *extractor) composite(p *Param, elems fhirpath.Collection, out *Values) error {
	parts := make([][]CompositePart, len(p.Components))
	for _, el := range elems {
		complete := true
		for i := range p.Components {
			c := &p.Components[i]
			x.resetTmp()
			x.focus = append(x.focus[:0], el)
			for _, b := range c.branches {
				r, err := fhirpath.Eval(b, &x.env, x.focus)
				if err != nil {
					return err
				}
				for _, v := range r {
					x.add(c.Code, c.Type, c.targets, v, &x.tmp)
				}
			}
			parts[i] = compositeParts(c, &x.tmp, parts[i][:0])
			if len(parts[i]) == 0 {
				complete = false
				break
			}
		}
		if complete {
			appendTuples(out, p.Code, parts)
		}
	}
	return nil
}

// resetTmp empties the scratch values, keeping their memory: the parts
// copy what they need.
func (x *extractor) resetTmp() {
	t := &x.tmp
	t.Tokens, t.Strings, t.Dates, t.Numbers = t.Tokens[:0], t.Strings[:0], t.Dates[:0], t.Numbers[:0]
	t.Quantities, t.References, t.URIs = t.Quantities[:0], t.References[:0], t.URIs[:0]
}

// appendTuples appends the cartesian product of parts, up to maxTuples.
func appendTuples(out *Values, code string, parts [][]CompositePart) {
	idx := make([]int, len(parts))
	for n := 0; n < maxTuples; n++ {
		tuple := make([]CompositePart, len(parts))
		for i, j := range idx {
			tuple[i] = parts[i][j]
		}
		out.Composites = append(out.Composites, CompositeValue{Param: code, Parts: tuple})
		i := len(idx) - 1
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] < len(parts[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// compositeParts turns the values a component produced into parts.
func compositeParts(c *Component, v *Values, dst []CompositePart) []CompositePart {
	part := CompositePart{Code: c.Code, Type: c.Type}
	switch c.Type {
	case Token:
		for _, t := range v.Tokens {
			part.Token = t
			dst = append(dst, part)
		}
	case String:
		for _, s := range v.Strings {
			part.String = s
			dst = append(dst, part)
		}
	case Date:
		for _, d := range v.Dates {
			part.Date = d
			dst = append(dst, part)
		}
	case Number:
		for _, n := range v.Numbers {
			part.Number = n
			dst = append(dst, part)
		}
	case Quantity:
		for _, q := range v.Quantities {
			part.Quantity = q
			dst = append(dst, part)
		}
	case Reference:
		for _, r := range v.References {
			part.Reference = r
			dst = append(dst, part)
		}
	case URI:
		for _, u := range v.URIs {
			part.URI = u
			dst = append(dst, part)
		}
	}
	return dst
}
