package flatten

import (
	"bytes"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// prefilter rejects, from the raw JSON bytes alone, resources that
// certainly give no rows, so that they are neither decoded nor evaluated.
// It holds sets of strings: a resource that has no JSON string equal to
// a member of some set has no rows.
//
// Why skipping such a resource is exactly equivalent to full evaluation
// (rowsWith after Decode):
//
//   - One set is the view's resource type. rowsWith gives no rows
//     unless the resourceType field is a string equal to it; a number or
//     other node cannot have that text.
//   - The other sets come from the view's where clauses, in order, through
//     fhirpath.RequiredStrings, stopping at the first clause it does not
//     prove safe. Each clause of that prefix never errors and gives empty
//     or one boolean, so keep() evaluates them without error until one is
//     not true, and returns no rows without evaluating any column. A
//     clause can be true only if, for each of its sets, the resource holds
//     a JSON string equal to one of the set.
//   - A resource is rejected only when its raw text has no backslash at
//     all: then every JSON string appears verbatim between double quotes
//     (the decoder's str returns the bytes between the quotes unchanged),
//     so the strings can be compared on the raw bytes. With where sets,
//     fhirpath.StringSets.Lacks compares every string value in one pass;
//     without, the resource type is looked for as the needle "Type",
//     which a string of that value would contain (the type is letters
//     only, so the needle is well formed).
//   - A rejected resource is also known to decode: Lacks validates with
//     the decoder's rules, and Decoder.ValidObject is the decoder's own
//     grammar without building nodes. Decode would have succeeded and
//     given an object, so full evaluation would have returned neither a
//     decode error nor the "not a JSON object" error.
//
// Hence full evaluation of a rejected resource returns no rows and no
// error, which is what skipping it returns. The differential test and
// FuzzPrefilter compare both paths on generated and mutated resources.
type prefilter struct {
	// where holds the sets of the where clauses and the resource type;
	// nil when no where clause gives a set.
	where *fhirpath.StringSets
	// rtype is the quoted resource type, checked alone when where is nil;
	// head is how compact FHIR JSON usually starts, a faster test.
	rtype, head []byte
}

// newPrefilter analyses v.
func newPrefilter(v *View) *prefilter {
	p := &prefilter{rtype: []byte(`"` + v.def.Resource + `"`)}
	p.head = append([]byte(`{"resourceType":`), p.rtype...)
	var sets [][]string
	for _, w := range v.where {
		allOf, safe := fhirpath.RequiredStrings(w.expr)
		if !safe {
			break
		}
		sets = append(sets, allOf...)
	}
	if len(sets) > 0 {
		p.where = fhirpath.NewStringSets(append(sets, []string{v.def.Resource}))
	}
	return p
}

// rejects reports whether the resource raw certainly has no rows. d is
// only used as a validator; trees it decoded earlier stay valid.
func (p *prefilter) rejects(d *fhirpath.Decoder, raw []byte) bool {
	if p.where != nil {
		return p.where.Lacks(raw)
	}
	if bytes.HasPrefix(raw, p.head) || bytes.Contains(raw, p.rtype) {
		return false
	}
	return bytes.IndexByte(raw, '\\') < 0 && d.ValidObject(raw)
}
