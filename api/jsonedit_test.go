package api

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestObjectMembers(t *testing.T) {
	ms, err := objectMembers([]byte(" {\"a\" : [1, {\"b\":\"}\"}] ,\"c\\u0041\":\"x\\\"y\", \"d\":-1.5e3 , \"e\":null}\n"))
	require.NoError(t, err)
	require.Equal(t, []member{{"a", []byte(`[1, {"b":"}"}]`)}, {"cA", []byte(`"x\"y"`)}, {"d", []byte(`-1.5e3`)}, {"e", []byte(`null`)}}, ms)
	for in, want := range map[string]string{
		`{"a":1,"a":2}`: "appears twice",
		`[1]`:           "not a JSON object",
		`{"a":1}{}`:     "text after the object",
		`{"a":`:         "not valid JSON",
		``:              "not valid JSON",
	} {
		_, err := objectMembers([]byte(in))
		require.ErrorContains(t, err, want, in)
	}
}

// FuzzObjectMembers checks the scanner against the token decoder.
func FuzzObjectMembers(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":[1,{"b":"}"}],"c":"\""}`, `{"a":1,"a":2}`, ` {"x" : true } `, `[]`, `{"a":"\u00e9"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ferr := objectMembers(body)
		slow, serr := decodeMembers(body)
		if (ferr == nil) != (serr == nil) {
			t.Fatalf("%q: scanner error %v, decoder error %v", body, ferr, serr)
		}
		if ferr != nil {
			return
		}
		if len(fast) != len(slow) {
			t.Fatalf("%q: %d members, decoder %d", body, len(fast), len(slow))
		}
		for i := range fast {
			if fast[i].key != slow[i].key || !bytes.Equal(fast[i].val, slow[i].val) {
				t.Fatalf("%q: member %d is %q=%s, decoder %q=%s", body, i, fast[i].key, fast[i].val, slow[i].key, slow[i].val)
			}
		}
	})
}
