package keyring

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func fixedKey(b byte) MasterKey {
	var k MasterKey
	for i := range k.b {
		k.b[i] = b + byte(i)
	}
	return k
}

func TestParseMasterKey(t *testing.T) {
	good := fixedKey(1)
	b64 := base64.StdEncoding.EncodeToString(good.b[:])
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "key line", in: b64 + "\n"},
		{name: "surrounding space", in: "  " + b64 + "\r\n"},
		{name: "empty", in: " \n", wantErr: "master key is empty"},
		{name: "not base64", in: "this is not base64!!", wantErr: "not valid base64"},
		{name: "url alphabet rejected", in: strings.NewReplacer("+", "-", "/", "_").Replace(base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\xfb\xff", 16)))), wantErr: "not valid base64"},
		{name: "16 bytes", in: base64.StdEncoding.EncodeToString(make([]byte, 16)), wantErr: "has 16 bytes, want 32"},
		{name: "33 bytes", in: base64.StdEncoding.EncodeToString(make([]byte, 33)), wantErr: "has 33 bytes, want 32"},
		{name: "raw hex", in: hex.EncodeToString(good.b[:]), wantErr: "has 48 bytes, want 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseMasterKey(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				if in := strings.TrimSpace(tt.in); in != "" {
					require.NotContains(t, err.Error(), in, "errors must not echo key material")
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, good, k)
			require.Equal(t, b64+"\n", k.Encode())
		})
	}
}

func TestMasterKeyRedacted(t *testing.T) {
	k := fixedKey(7)
	secrets := []string{
		base64.StdEncoding.EncodeToString(k.b[:]),
		hex.EncodeToString(k.b[:]),
		fmt.Sprint(k.b[:]),
		fmt.Sprint(k.b[0:4]), // "[7 8 9 10]"
	}
	holder := struct{ Key MasterKey }{k}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{k, &k, holder, &holder} {
			out := fmt.Sprintf(verb, v)
			for _, s := range secrets {
				require.NotContains(t, out, s, "verb %s leaked the key: %s", verb, out)
			}
		}
	}
	require.Contains(t, k.String(), k.Fingerprint())
}

func TestFingerprint(t *testing.T) {
	a, b := fixedKey(1), fixedKey(2)
	require.Len(t, a.Fingerprint(), 16)
	require.Equal(t, a.Fingerprint(), fixedKey(1).Fingerprint())
	require.NotEqual(t, a.Fingerprint(), b.Fingerprint())
	g1, err := GenerateMasterKey()
	require.NoError(t, err)
	g2, err := GenerateMasterKey()
	require.NoError(t, err)
	require.NotEqual(t, g1, g2)
	require.False(t, g1.IsZero())
	require.True(t, MasterKey{}.IsZero())
}
