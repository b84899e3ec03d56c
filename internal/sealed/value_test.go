package sealed

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValue(t *testing.T) {
	key := testKey(t, 7)
	aad := []byte("Patient/123/_history/2")
	plain := []byte(`{"resourceType":"Patient","id":"123","name":[{"family":"Secretname"}]}`)
	s, err := Seal(key, aad, plain)
	require.NoError(t, err)
	require.Len(t, s, len(plain)+Overhead)
	require.False(t, bytes.Contains(s, []byte("Secretname")))

	flipped := func(i int) []byte { b := append([]byte{}, s...); b[i] ^= 1; return b }
	badVersion := append([]byte{9}, s[1:]...)
	tests := []struct {
		name    string
		key     []byte
		aad     []byte
		sealed  []byte
		wantErr error
	}{
		{name: "round trip", key: key, aad: aad, sealed: s},
		{name: "wrong key", key: testKey(t, 8), aad: aad, sealed: s, wantErr: ErrAuth},
		{name: "wrong aad (other version)", key: key, aad: []byte("Patient/123/_history/3"), sealed: s, wantErr: ErrAuth},
		{name: "flipped nonce", key: key, aad: aad, sealed: flipped(3), wantErr: ErrAuth},
		{name: "flipped ciphertext", key: key, aad: aad, sealed: flipped(20), wantErr: ErrAuth},
		{name: "flipped tag", key: key, aad: aad, sealed: flipped(len(s) - 1), wantErr: ErrAuth},
		{name: "truncated", key: key, aad: aad, sealed: s[:len(s)-1], wantErr: ErrAuth},
		{name: "too short", key: key, aad: aad, sealed: s[:Overhead-1], wantErr: ErrFormat},
		{name: "unknown version", key: key, aad: aad, sealed: badVersion, wantErr: ErrFormat},
		{name: "bad key size", key: key[:31], aad: aad, sealed: s, wantErr: ErrKeySize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Open(tt.key, tt.aad, tt.sealed)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, plain, got)
		})
	}
}

func TestBoxEmptyAndAppend(t *testing.T) {
	b, err := NewBox(testKey(t, 9))
	require.NoError(t, err)
	s, err := b.Seal(nil, nil)
	require.NoError(t, err)
	require.Len(t, s, Overhead)
	got, err := b.Open(nil, s)
	require.NoError(t, err)
	require.Empty(t, got)

	prefix := []byte("key:")
	out, err := b.AppendSeal(append([]byte{}, prefix...), []byte("a"), []byte("value"))
	require.NoError(t, err)
	require.Equal(t, prefix, out[:len(prefix)])
	got, err = b.Open([]byte("a"), out[len(prefix):])
	require.NoError(t, err)
	require.Equal(t, []byte("value"), got)

	s1, _ := b.Seal(nil, []byte("same"))
	s2, _ := b.Seal(nil, []byte("same"))
	require.NotEqual(t, s1, s2, "nonces must be fresh")
}
