package jsontree

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	n, err := Parse([]byte(` {"b": [1, -2.5e3, true, null], "a": "x\u00e9\n", "c": {}} `))
	require.NoError(t, err)
	require.Equal(t, Object, n.Kind)
	var keys []string
	for _, m := range n.Members {
		keys = append(keys, m.Key)
	}
	require.Equal(t, []string{"b", "a", "c"}, keys, "members keep their input order")
	b := n.Get("b")
	require.Equal(t, Array, b.Kind)
	require.Equal(t, `[1, -2.5e3, true, null]`, string(b.Raw), "raw is the value's exact input")
	require.Equal(t, "-2.5e3", string(b.Items[1].Raw))
	require.Equal(t, "true", b.Items[2].Str)
	require.Equal(t, Null, b.Items[3].Kind)
	require.Equal(t, "xé\n", n.Get("a").Str)
	require.Nil(t, n.Get("nope"))

	for _, bad := range []string{``, `{`, `{"a" 1}`, `[1,]`, `01`, `"\x01"`, `tru`, `{"a":1} x`, `"\ud800"x`,
		strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2)} {
		_, err := Parse([]byte(bad))
		require.True(t, errors.Is(err, ErrSyntax), "%q: %v", bad, err)
	}
}

// FuzzParse: the parser accepts exactly the valid JSON documents that
// encoding/json accepts, and its raw bytes are the input's.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{}`, `[1,2]`, `{"a":{"b":[null,true,"x"]}}`, `-0.5E+2`, `"\u00e9"`, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(data)
		if !utf8.Valid(data) || (err != nil && strings.Contains(err.Error(), "nesting deeper")) {
			return // encoding/json replaces invalid UTF-8 and nests deeper
		}
		if json.Valid(data) != (err == nil) {
			t.Fatalf("Parse(%q) error %v, json.Valid %v", data, err, json.Valid(data))
		}
		if err == nil {
			require.Equal(t, strings.TrimSpace(string(data)), string(n.Raw))
		}
	})
}
