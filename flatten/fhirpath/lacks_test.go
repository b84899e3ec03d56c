package fhirpath

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// lacksReference is what StringSets.Lacks must compute, the slow way: a
// full decode, then a walk over every string value.
func lacksReference(data []byte, sets [][]string) bool {
	if bytes.IndexByte(data, '\\') >= 0 || !decodesToObject(data) {
		return false
	}
	var d Decoder
	n, _ := d.Decode(data)
	strs := map[string]bool{}
	var walk func(n *Node)
	walk = func(n *Node) {
		switch n.Kind {
		case KindString:
			strs[n.Str] = true
		case KindArray:
			for _, it := range n.Items {
				walk(it)
			}
		case KindObject:
			for _, f := range n.Fields {
				walk(f.Value)
			}
		}
	}
	walk(n)
	for _, set := range sets {
		hit := false
		for _, s := range set {
			hit = hit || strs[s]
		}
		if !hit {
			return true
		}
	}
	return false
}

var lacksSets = [][]string{{"http://loinc.org"}, {"85354-9", "x"}, {"Observation"}}

func TestStringSetsLacks(t *testing.T) {
	obs := `{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"%s"}]},"n":[1,-2.5e3,true,false,null,{}]}`
	deep := strings.Repeat(`[`, maxDepth-1) + `"x"` + strings.Repeat(`]`, maxDepth-1)
	for _, tt := range []struct {
		name, in string
		want     bool
	}{
		{"other code", strings.Replace(obs, "%s", "8867-4", 1), true},
		{"matching code", strings.Replace(obs, "%s", "85354-9", 1), false},
		{"other member of the set", strings.Replace(obs, "%s", "x", 1), false},
		{"code only as a name", `{"resourceType":"Observation","85354-9":"http://loinc.org"}`, true},
		{"escape anywhere", strings.Replace(obs, "%s", `8867-4\/`, 1), false},
		{"tab between tokens", "{\"resourceType\":\t\"Other\"}\n", true},
		{"tab in a string", "{\"resourceType\":\"Other\t\"}", false},
		{"control character in a long string", "{\"a\":\"0123456789\x01abcdef\"}", false},
		{"invalid number", `{"resourceType":"Observation","a":01}`, false},
		{"trailing comma", `{"resourceType":"Observation",}`, false},
		{"trailing data", `{"resourceType":"Observation"}x`, false},
		{"array", `["Observation"]`, false},
		{"spaces", ` { "a" : [ 1 , "b" ] } `, true},
		{"deep", `{"a":` + deep + `}`, true},
		{"too deep", `{"a":[` + deep + `]}`, false},
		{"unterminated", `{"a":"b}`, false},
		{"bad literal", `{"a":nul}`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := NewStringSets(lacksSets)
			require.Equal(t, tt.want, m.Lacks([]byte(tt.in)))
			require.Equal(t, tt.want, lacksReference([]byte(tt.in), lacksSets), "reference disagrees with the table")
		})
	}
}

// FuzzStringSetsLacks compares Lacks with a full decode and walk.
func FuzzStringSetsLacks(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]}}`,
		`{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"1-1"}]},"v":[1.5e-3,-0,true,null,false,{}]}`,
		`{"a":"x"}`, `{}`, `[]`, `{"a":1} `, evalResource,
	} {
		f.Add([]byte(s))
	}
	m := NewStringSets(lacksSets)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 10<<10 {
			return
		}
		if got, want := m.Lacks(data), lacksReference(data, lacksSets); got != want {
			t.Fatalf("Lacks(%q) = %v, want %v", data, got, want)
		}
	})
}

// BenchmarkStringSetsLacks measures the prefilter's scan over the golden
// Observations, none of which holds 85354-9, so every scan is complete.
func BenchmarkStringSetsLacks(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "golden", "observation.ndjson"))
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	m := NewStringSets([][]string{{"85354-9"}, {"Observation"}})
	var d Decoder
	for _, bc := range []struct {
		name string
		fn   func([]byte) bool
	}{
		{"op=lacks", m.Lacks},
		{"op=valid", d.ValidObject},
		{"op=decode", func(b []byte) bool { _, err := d.DecodeBorrowed(b); return err == nil }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			size, n := 0, 0
			for b.Loop() {
				l := lines[n%len(lines)]
				bc.fn(l)
				size += len(l)
				n++
			}
			b.SetBytes(int64(size / max(n, 1)))
		})
	}
}
