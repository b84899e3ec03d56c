package fhirpath

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// decodesToObject is the reference ValidObject must agree with.
func decodesToObject(data []byte) bool {
	var d Decoder
	n, err := d.Decode(data)
	return err == nil && n.Kind == KindObject
}

func TestValidObject(t *testing.T) {
	deep := strings.Repeat(`{"a":`, maxDepth) + `1` + strings.Repeat(`}`, maxDepth)
	tooDeep := strings.Repeat(`[`, maxDepth) + `{}` + strings.Repeat(`]`, maxDepth)
	for _, tt := range []struct {
		name, in string
		want     bool
	}{
		{"empty object", `{}`, true},
		{"spaces", " \t\n{ } \r\n", true},
		{"resource", evalResource, true},
		{"escapes", `{"a":"x\"\u00e9\n"}`, true},
		{"array", `[]`, false},
		{"string", `"x"`, false},
		{"number", `1`, false},
		{"empty", ``, false},
		{"trailing data", `{} {}`, false},
		{"trailing comma", `{"a":1,}`, false},
		{"missing colon", `{"a" 1}`, false},
		{"bad number", `{"a":01}`, false},
		{"bad literal", `{"a":tru}`, false},
		{"control character", "{\"a\":\"x\x01\"}", false},
		{"bad escape", `{"a":"\x"}`, false},
		{"unterminated", `{"a":"x}`, false},
		{"unclosed array", `{"a":[1,2}`, false},
		{"deep", deep, true},
		{"too deep", `{"a":` + tooDeep + `}`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var d Decoder
			require.Equal(t, tt.want, d.ValidObject([]byte(tt.in)))
			require.Equal(t, decodesToObject([]byte(tt.in)), tt.want, "reference decoder disagrees with the table")
		})
	}
}

// FuzzValidObject checks that ValidObject agrees with Decode on every
// input, which the flatten prefilter relies on to skip documents without
// hiding decode errors.
func FuzzValidObject(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,-2.5e3,true,false,null,"x\"\u00e9"]}`, `[]`, `{}`, `{"a":{"b":[{}]}}`, `{"a":1}x`,
		`{"a":"\ud83d\ude00"}`, `{"a":-0.5E+2}`, evalResource,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 10<<10 {
			return
		}
		var d Decoder
		if got, want := d.ValidObject(data), decodesToObject(data); got != want {
			t.Fatalf("ValidObject(%q) = %v, Decode says %v", data, got, want)
		}
	})
}

// FuzzPlainEnd compares the word-at-a-time plainEnd, which the decoder's
// string fast path and so every document rely on, with a byte loop.
func FuzzPlainEnd(f *testing.F) {
	for _, s := range []string{``, `abc"`, "0123456789abcdef\\x", "0123456\x1f89", `é"`, "\x7f\x80\xff\"", `aaaaaaaa"`} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, i int) {
		if i < 0 || i > len(s) {
			return
		}
		want := i
		for want < len(s) && s[want] != '"' && s[want] != '\\' && s[want] >= 0x20 {
			want++
		}
		if got := plainEnd(s, i); got != want {
			t.Fatalf("plainEnd(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}
