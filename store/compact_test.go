package store

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

var compactCases = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `-12.0E-3`, `true`, `false`, `null`,
	` { "a" : [ 1 , 2.5 , "x y" , { } , [ ] ] , "b\"c" : null } `,
	`{"s":"tab\tnot allowed"}`, `{"s":"esc \" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00"}`,
	"{\"s\":\"caf\u00e9 \u2603\"}\n",
	`{"a":1,}`, `{"a" 1}`, `{a:1}`, `[1,]`, `[1 2]`, `01`, `1.`, `.5`, `1e`, `-`, `+1`,
	`"\x"`, `"\u12G4"`, `"unterminated`, `tru`, `nul`, `{"a":1}}`, `{"a":1} x`, ``, ` `,
	`{"a":[}`, `["a"`, `{"a":"b"`, strings.Repeat("[", 999) + strings.Repeat("]", 999),
}

func TestCompactJSON(t *testing.T) {
	for _, in := range compactCases {
		t.Run(in, func(t *testing.T) { checkCompact(t, []byte(in)) })
	}
	t.Run("too deep", func(t *testing.T) {
		_, err := compactJSON(nil, []byte(strings.Repeat("[", 1001)+strings.Repeat("]", 1001)))
		require.ErrorContains(t, err, "nesting deeper")
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		_, err := compactJSON(nil, []byte("\"\xff\""))
		require.ErrorContains(t, err, "UTF-8")
	})
}

// checkCompact compares compactJSON with encoding/json on one input.
func checkCompact(t *testing.T, in []byte) {
	got, err := compactJSON([]byte("prefix"), in)
	if !json.Valid(in) {
		require.Error(t, err, "%q", in)
		return
	}
	require.NoError(t, err, "%q", in)
	var want bytes.Buffer
	require.NoError(t, json.Compact(&want, in))
	require.Equal(t, "prefix"+want.String(), string(got))
}

func FuzzCompactJSON(f *testing.F) {
	for _, c := range compactCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1000 || !utf8.Valid(in) {
			t.Skip()
		}
		checkCompact(t, in)
	})
}
