package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  Outcome
		want Outcome
	}{
		{"http 200", HTTPOutcome(200, ""), Outcome{Result: Success, Code: "200"}},
		{"http 304", HTTPOutcome(304, ""), Outcome{Result: Success, Code: "304"}},
		{"http 404", HTTPOutcome(404, "gone"), Outcome{Result: MinorFailure, Code: "404", Message: "gone"}},
		{"http 503", HTTPOutcome(503, ""), Outcome{Result: SeriousFailure, Code: "503"}},
		{"sql ok", SQLOutcome("", ""), Outcome{Result: Success}},
		{"sql 00000", SQLOutcome("00000", ""), Outcome{Result: Success, Code: "00000"}},
		{"sql undefined table", SQLOutcome("42P01", "no"), Outcome{Result: MinorFailure, Code: "42P01", Message: "no"}},
		{"sql internal", SQLOutcome("XX000", ""), Outcome{Result: SeriousFailure, Code: "XX000"}},
		{"sql io error", SQLOutcome("58030", ""), Outcome{Result: SeriousFailure, Code: "58030"}},
	} {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, tc.got) })
	}
}

func TestTruncateQuery(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want int // length of the result
	}{
		{"short", "SELECT 1", 8},
		{"at the limit", strings.Repeat("a", MaxQueryBytes), MaxQueryBytes},
		{"ascii over", strings.Repeat("a", MaxQueryBytes+1), MaxQueryBytes},
		{"multibyte over", strings.Repeat("€", MaxQueryBytes), MaxQueryBytes - 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := truncateQuery(tc.in)
			require.Len(t, got, tc.want)
			require.True(t, strings.ToValidUTF8(got, "?") == got)
		})
	}
}

// TestRecordFormat pins the stored line format of plain and keyed
// records (testdata/record-*.golden): changing it breaks every existing
// log's chain.
func TestRecordFormat(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"plain", nil},
		{"keyed", []byte("0123456789abcdef0123456789abcdef")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newChain(tc.key)
			var out []byte
			prev := Genesis
			for i := 1; i <= 2; i++ {
				ev, err := encodeEvent(sampleEvent(i))
				require.NoError(t, err)
				out, prev = c.appendLine(out, uint64(i), prev, ev)
			}
			golden := filepath.Join("testdata", "record-"+tc.name+".golden")
			if *rewrite {
				require.NoError(t, os.WriteFile(golden, out, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), string(out))
			v := verifier{c: newChain(tc.key), hash: Genesis, file: "golden"}
			require.Nil(t, v.segment(want))
		})
	}
}
