package store

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files under testdata/")

// encGolden holds the derived values of a fixed key and a value sealed
// with it. Encrypted stores written by earlier builds must stay readable,
// so a change to the key derivation, hashes, domains or associated data
// must fail here (and then needs a new encScheme, not -rewrite).
const encGolden = "testdata/encryption-v1.golden"

// encBody is the plaintext of the golden sealed body.
const encBody = `{"resourceType":"Patient","id":"p1","meta":{"versionId":"3","lastUpdated":"2026-01-02T03:04:05.678Z"}}`

func TestEncryptionFormat(t *testing.T) {
	e := testEncryption(t, 42)
	content := sha256.Sum256([]byte(encBody))
	e.keyContentHash(&content)
	ad := appendVersionAD(nil, "Patient", "p1", 3)
	prefix, _ := identLookup(e, "Patient", IdentifierQuery{Value: "12345", AnySystem: true})
	derived := []string{
		"scheme " + encScheme,
		"keycheck " + hex.EncodeToString(e.check),
		"content " + hex.EncodeToString(content[:]),
		"ident " + hex.EncodeToString(identKey(e, "Patient", "urn:mrn", "12345", "p1")),
		"lookup " + hex.EncodeToString(prefix),
	}
	codec := e.sealed(Zstd())
	if *rewrite {
		sealed, err := codec.Encode(nil, []byte(encBody), ad)
		require.NoError(t, err)
		out := strings.Join(append(derived, "body "+hex.EncodeToString(sealed)), "\n") + "\n"
		require.NoError(t, os.MkdirAll(filepath.Dir(encGolden), 0o755))
		require.NoError(t, os.WriteFile(encGolden, []byte(out), 0o644))
	}
	data, err := os.ReadFile(encGolden)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Len(t, lines, len(derived)+1)
	require.Equal(t, derived, lines[:len(derived)])
	sealed, err := hex.DecodeString(strings.TrimPrefix(lines[len(derived)], "body "))
	require.NoError(t, err)
	plain, err := codec.Decode(nil, sealed, ad)
	require.NoError(t, err)
	require.Equal(t, encBody, string(plain))
	// The same value under another version does not open.
	_, err = codec.Decode(nil, sealed, appendVersionAD(nil, "Patient", "p1", 2))
	require.Error(t, err)
	// And it is sealed: the plaintext's id is not in it.
	require.NotContains(t, string(sealed), `"p1"`)
}
