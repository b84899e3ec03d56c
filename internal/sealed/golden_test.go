package sealed

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden sealed files in testdata/")

// goldenPlain is the plaintext of the golden files: three and a bit chunks
// of 1 KiB (the chunk size is read from the header), so the file covers
// full and final chunks and counters above 0.
func goldenPlain() []byte {
	line := `{"resourceType":"Patient","id":"golden","name":[{"family":"Format"}]}` + "\n"
	return []byte(strings.Repeat(line, (3*testChunk+500)/len(line)+1))
}

// TestGoldenFormat opens files sealed by an earlier build, so a change to
// the on-disk format cannot go unnoticed. Run with -rewrite only when the
// format version changes on purpose.
func TestGoldenFormat(t *testing.T) {
	key, aad := fuzzKey, []byte("golden")
	streamPath := filepath.Join("testdata", "v1-stream.sealed")
	valuePath := filepath.Join("testdata", "v1-value.sealed")
	if *rewrite {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(streamPath, seal(t, key, aad, goldenPlain(), testChunk, 0), 0o644))
		v, err := Seal(key, aad, []byte("golden value"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(valuePath, v, 0o644))
	}
	stream, err := os.ReadFile(streamPath)
	require.NoError(t, err)
	r, err := NewReader(bytes.NewReader(stream), key, aad)
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	require.Equal(t, goldenPlain(), got)
	require.Equal(t, headerSize+len(got)+4*tagSize, len(stream))

	value, err := os.ReadFile(valuePath)
	require.NoError(t, err)
	v, err := Open(key, aad, value)
	require.NoError(t, err)
	require.Equal(t, "golden value", string(v))
}
