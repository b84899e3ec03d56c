package fhirpath

import (
	"encoding/json"
	"testing"
)

// FuzzDecode checks that the decoder never panics, accepts only valid
// JSON, and that its output re-encodes to JSON that decodes the same.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,-2.5e3,true,false,null,"x\"\u00e9"]}`, `[]`, `{}`, `"\ud83d\ude00"`, `0`, `-0.5E+2`,
		evalResource,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 10<<10 {
			return
		}
		var d Decoder
		n, err := d.Decode(data)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		out := n.String()
		if !json.Valid([]byte(out)) {
			t.Fatalf("encoded invalid JSON %q from %q", out, data)
		}
		n2, err := d.Decode([]byte(out))
		if err != nil || n2.String() != out {
			t.Fatalf("re-decode of %q: %v", out, err)
		}
	})
}
