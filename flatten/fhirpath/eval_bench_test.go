package fhirpath

import (
	"testing"
)

// BenchmarkEval measures the evaluator alone: expressions parsed once,
// the resource decoded once, each expression evaluated over it (the work
// a view does per column per resource).
func BenchmarkEval(b *testing.B) {
	var d Decoder
	res, err := d.Decode([]byte(evalResource))
	if err != nil {
		b.Fatal(err)
	}
	for _, src := range []string{
		"id",
		"subject.getReferenceKey(Patient)",
		"code.coding.where(system = 'http://loinc.org').code.first()",
		"code.coding.exists(system = 'http://loinc.org' and code = '8480-6')",
		"value.ofType(Quantity).value",
		"extension('http://e/b').value.ofType(integer)",
		"effective.ofType(dateTime).lowBoundary()",
		"component.where(value.ofType(integer) > 1).count()",
	} {
		e, err := Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(src, func(b *testing.B) {
			env := &Env{Resource: res}
			in := Collection{{N: res}}
			b.ReportAllocs()
			for b.Loop() {
				env.Reset()
				if _, err := Eval(e, env, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecode measures decoding a resource into the evaluator's tree.
func BenchmarkDecode(b *testing.B) {
	var d Decoder
	data := []byte(evalResource)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.DecodeBorrowed(data); err != nil {
			b.Fatal(err)
		}
	}
}
