package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// addSeeds adds every file of testdata/json and some table inputs to f.
func addSeeds(f *testing.F, extra ...string) {
	files, _ := filepath.Glob("testdata/json/*")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && !strings.HasSuffix(p, ".golden") {
			f.Add(data)
		}
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// FuzzReadNDJSON checks that every non-blank line yields a record or a
// rejection (exactly one, unless the line is a Bundle), that record bodies
// are compact JSON objects, and that "invalid JSON" is reported exactly
// when encoding/json also finds the line invalid.
func FuzzReadNDJSON(f *testing.F) {
	addSeeds(f, pat1+"\n"+pat2, "[1,2]\n\"x\"\n42", `{"resourceType":"Patient"}`, "\r\n\n", `{"resourceType":"Patient","id":"a","x":1e5,"y":-0.5,"z":[true,false,null]}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		events := map[int][]string{}
		em := &emitter{ctx: context.Background(), file: "fuzz.ndjson", h: Handler{
			Record: func(r Record) error {
				checkRecord(t, r)
				events[r.Line] = append(events[r.Line], "record")
				return nil
			},
			Reject: func(e *RecordError) {
				events[e.Line] = append(events[e.Line], e.Reason)
			},
		}}
		nr := newNDJSONReader(em)
		require.NoError(t, nr.read(bytes.NewReader(data)))
		for i, line := range bytes.Split(data, []byte("\n")) {
			n := i + 1
			line = bytes.Trim(line, " \t\r") // JSON whitespace; \n was split on
			got := events[n]
			if len(line) == 0 {
				require.Empty(t, got, "blank line %d", n)
				continue
			}
			if isBundleLine(line) {
				continue // unpacked: zero or more events
			}
			require.Len(t, got, 1, "line %d: %q", n, line)
			if utf8.Valid(line) {
				require.Equal(t, !json.Valid(line), strings.HasPrefix(got[0], "invalid JSON"), "line %d: %q -> %s", n, line, got[0])
			}
		}
	})
}

func isBundleLine(line []byte) bool {
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	return json.Unmarshal(line, &head) == nil && head.ResourceType == "Bundle"
}
