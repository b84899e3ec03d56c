package apitoken

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		secret, id, hash, err := New()
		require.NoError(t, err)
		require.Len(t, secret, SecretLen)
		require.Regexp(t, `^flk_[0-9a-v]{12}_[A-Za-z0-9_-]{43}$`, secret)
		got, ok := Parse(secret)
		require.True(t, ok, secret)
		require.Equal(t, id, got)
		require.True(t, strings.HasPrefix(hash, HashScheme))
		require.Len(t, hash, len(HashScheme)+64)
		require.True(t, Matches(secret, hash))
		require.NotContains(t, hash, secret[len(Prefix)+IDLen+1:], "the hash does not reveal the key")
		require.False(t, seen[id], "ids repeat")
		require.False(t, seen[secret], "secrets repeat")
		seen[id], seen[secret] = true, true
	}
}

func TestParse(t *testing.T) {
	secret, id, _, err := New()
	require.NoError(t, err)
	key := secret[len(Prefix)+IDLen+1:]
	tests := []struct {
		name   string
		in     string
		wantID string // "" when not ok
	}{
		{name: "fresh", in: secret, wantID: id},
		{name: "fixed", in: "flk_0123456789uv_" + strings.Repeat("A", 42) + "E", wantID: "0123456789uv"},
		{name: "all url chars", in: "flk_abcdefghijkl_" + "-_AZaz09" + strings.Repeat("x", 34) + "Q", wantID: "abcdefghijkl"},
		{name: "empty", in: ""},
		{name: "prefix only", in: "flk_"},
		{name: "jwt", in: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"},
		{name: "jwt of the same length", in: "eyJhbGciOiJFUzI1NiJ9." + strings.Repeat("a", 37) + ".x"},
		{name: "upper-case prefix", in: "FLK_" + secret[4:]},
		{name: "other prefix", in: "flx_" + secret[4:]},
		{name: "one short", in: secret[:len(secret)-1]},
		{name: "one long", in: secret + "A"},
		{name: "padded", in: secret[:len(secret)-1] + "="},
		{name: "upper-case id", in: "flk_ABCDEFGHIJKL_" + key},
		{name: "id beyond base32hex", in: "flk_abcdefghijkw_" + key},
		{name: "dash for underscore", in: "flk_" + id + "-" + key},
		{name: "standard base64", in: "flk_" + id + "_+" + key[1:]},
		{name: "space in key", in: "flk_" + id + "_ " + key[1:]},
		{name: "non-canonical last char", in: "flk_" + id + "_" + strings.Repeat("A", 42) + "B"},
		{name: "non-ascii", in: "flk_" + id + "_é" + key[2:]},
		{name: "bearer word left in", in: "Bearer " + secret[:len(secret)-7]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.in)
			require.Equal(t, tt.wantID != "", ok)
			require.Equal(t, tt.wantID, got)
		})
	}
}

func TestMatches(t *testing.T) {
	secret, _, hash, err := New()
	require.NoError(t, err)
	other, _, otherHash, err := New()
	require.NoError(t, err)
	tests := []struct {
		name, secret, hash string
		want               bool
	}{
		{name: "own", secret: secret, hash: hash, want: true},
		{name: "known vector", secret: "abc", hash: "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want: true},
		{name: "other secret", secret: other, hash: hash},
		{name: "other hash", secret: secret, hash: otherHash},
		{name: "one char changed", secret: secret[:len(secret)-2] + flip(secret[len(secret)-2]) + secret[len(secret)-1:], hash: hash},
		{name: "upper-case hex", secret: secret, hash: HashScheme + strings.ToUpper(hash[len(HashScheme):])},
		{name: "no scheme", secret: secret, hash: hash[len(HashScheme):]},
		{name: "other scheme", secret: secret, hash: "sha512:" + hash[len(HashScheme):]},
		{name: "empty hash", secret: secret, hash: ""},
		{name: "empty secret", secret: "", hash: hash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Matches(tt.secret, tt.hash))
		})
	}
}

func TestValidID(t *testing.T) {
	for in, want := range map[string]bool{
		"0123456789ab": true, "vvvvvvvvvvvv": true, "0123456789a": false, "0123456789abc": false,
		"0123456789aw": false, "0123456789aB": false, "": false, "0123456789a_": false,
	} {
		require.Equal(t, want, ValidID(in), in)
	}
}

// flip returns another base64url character than c.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// FuzzParse checks that Parse never panics and accepts exactly the
// canonical form: an accepted secret's key decodes to 32 bytes that
// encode back to it, and its id is the one in place.
func FuzzParse(f *testing.F) {
	secret, _, _, err := New()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{secret, "", "flk_", "eyJhbGciOiJSUzI1NiJ9.e30.sig", "flk_0123456789uv_" + strings.Repeat("A", 43)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := Parse(s)
		if !ok {
			require.Empty(t, id)
			return
		}
		require.Len(t, s, SecretLen)
		require.Equal(t, Prefix+id+"_", s[:len(Prefix)+IDLen+1])
		require.True(t, ValidID(id))
		key := s[len(Prefix)+IDLen+1:]
		raw, err := base64.RawURLEncoding.DecodeString(key)
		require.NoError(t, err)
		require.Len(t, raw, keyBytes)
		require.Equal(t, key, base64.RawURLEncoding.EncodeToString(raw))
		require.True(t, Matches(s, Hash(s)))
	})
}
