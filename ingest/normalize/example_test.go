package normalize_test

import (
	"fmt"

	"github.com/fhirlake/fhirlake/ingest/normalize"
)

func ExampleNormalizer_Normalize() {
	n := normalize.New(normalize.Options{})
	in := []byte(`{"resourceType":"Patient","id":"p1","gender":"Male","birthDate":"1980-7-4"}`)
	out, changes, err := n.Normalize(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	for _, c := range changes {
		fmt.Printf("%s %s: %q -> %q\n", c.Rule, c.Path, c.From, c.To)
	}
	// Output:
	// {"resourceType":"Patient","id":"p1","meta":{"tag":[{"system":"https://fhirlake.dev/fhir/CodeSystem/normalized","code":"normalized"}]},"gender":"male","birthDate":"1980-07-04"}
	// required-code Patient.gender: "Male" -> "male"
	// date Patient.birthDate: "1980-7-4" -> "1980-07-04"
}
