package keyring

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func localProvider(t *testing.T, k MasterKey) *LocalProvider {
	t.Helper()
	p, err := NewLocalProvider(k)
	require.NoError(t, err)
	return p
}

func TestLocalProvider(t *testing.T) {
	ctx := context.Background()
	p1, p2 := localProvider(t, fixedKey(1)), localProvider(t, fixedKey(2))
	dek := []byte("0123456789abcdef0123456789abcdef")
	w, err := p1.Wrap(ctx, dek)
	require.NoError(t, err)
	require.Len(t, w, wrapOverhead+len(dek))
	require.NotContains(t, string(w), string(dek))
	w2, err := p1.Wrap(ctx, dek)
	require.NoError(t, err)
	require.NotEqual(t, w, w2, "wrapping must use fresh nonces")

	flip := func(i int) []byte { b := append([]byte{}, w...); b[i] ^= 1; return b }
	tests := []struct {
		name    string
		p       *LocalProvider
		blob    []byte
		wantErr string
		wrongFP bool
	}{
		{name: "round trip", p: p1, blob: w},
		{name: "wrong master key", p: p2, blob: w, wrongFP: true,
			wantErr: "keyring: wrong master key (fingerprint " + p2.Fingerprint() + ", data wrapped under " + p1.Fingerprint() + ")"},
		{name: "flipped fingerprint byte", p: p1, blob: flip(2), wrongFP: true, wantErr: "wrong master key"},
		{name: "flipped ciphertext", p: p1, blob: flip(len(w) - 20), wantErr: "wrapped key is damaged"},
		{name: "flipped version", p: p1, blob: flip(0), wantErr: "unsupported wrapped key version"},
		{name: "too short", p: p1, blob: w[:wrapOverhead-1], wantErr: "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.Unwrap(ctx, tt.blob)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, dek, got)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			require.Nil(t, got)
			require.Equal(t, tt.wrongFP, errors.Is(err, ErrWrongMasterKey))
			var wk *WrongKeyError
			require.Equal(t, tt.wrongFP, errors.As(err, &wk))
		})
	}
	_, err = NewLocalProvider(MasterKey{})
	require.ErrorContains(t, err, "zero master key")
}
