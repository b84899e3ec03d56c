package keyring

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/internal/sealed"
)

func openKeyring(t *testing.T, path string, p Provider) *Keyring {
	t.Helper()
	k, err := Open(context.Background(), path, p)
	require.NoError(t, err)
	return k
}

func TestKeyringDataKeyPersists(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "keys.json")
	p := localProvider(t, fixedKey(1))

	k := openKeyring(t, path, p)
	_, err := os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist, "an empty keyring writes nothing")

	a1, err := k.DataKey(ctx, "ds1")
	require.NoError(t, err)
	a2, err := k.DataKey(ctx, "ds1")
	require.NoError(t, err)
	b, err := k.DataKey(ctx, "ds2")
	require.NoError(t, err)
	require.Equal(t, a1.Bytes(), a2.Bytes())
	require.NotEqual(t, a1.Bytes(), b.Bytes())
	require.Equal(t, 1, a1.Version())
	require.Equal(t, "ds1", a1.Datastore())
	require.Equal(t, []string{"ds1", "ds2"}, k.Datastores())

	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, dk := range []DataKey{a1, b} {
		require.NotContains(t, string(raw), base64.StdEncoding.EncodeToString(dk.Bytes()))
		require.NotContains(t, string(raw), hex.EncodeToString(dk.Bytes()))
	}
	var parsed keysFile
	require.NoError(t, json.Unmarshal(raw, &parsed))
	require.Equal(t, 1, parsed.Format)
	require.Equal(t, "local", parsed.Datastores["ds1"].Keys[0].Provider)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary files left behind")

	// A new process sees the same keys.
	k2 := openKeyring(t, path, p)
	a3, err := k2.DataKey(ctx, "ds1")
	require.NoError(t, err)
	require.Equal(t, a1.Bytes(), a3.Bytes())
	v1, err := k2.KeyVersion("ds2", 1)
	require.NoError(t, err)
	require.Equal(t, b.Bytes(), v1.Bytes())
	_, err = k2.KeyVersion("ds2", 2)
	require.ErrorContains(t, err, `data store "ds2" has no key version 2`)
	_, err = k2.DataKey(ctx, "")
	require.ErrorContains(t, err, "invalid data store name")
}

func TestKeyringWrongMasterKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys.json")
	p1, p2 := localProvider(t, fixedKey(1)), localProvider(t, fixedKey(2))
	_, err := openKeyring(t, path, p1).DataKey(ctx, "ds1")
	require.NoError(t, err)
	_, err = Open(ctx, path, p2)
	require.ErrorIs(t, err, ErrWrongMasterKey)
	require.ErrorContains(t, err, fmt.Sprintf(`data store "ds1" v1: keyring: wrong master key (fingerprint %s, data wrapped under %s)`, p2.Fingerprint(), p1.Fingerprint()))
}

func TestKeyringRewrap(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys.json")
	oldP, newP := localProvider(t, fixedKey(1)), localProvider(t, fixedKey(2))
	k := openKeyring(t, path, oldP)
	before := map[string][]byte{}
	sealedData := map[string][]byte{}
	for _, ds := range []string{"a", "b", "c"} {
		dk, err := k.DataKey(ctx, ds)
		require.NoError(t, err)
		before[ds] = dk.Bytes()
		sealedData[ds], err = sealed.Seal(dk.Derive(PurposeRawStore), []byte(ds), []byte("record of "+ds))
		require.NoError(t, err)
	}
	oldFile, err := os.ReadFile(path)
	require.NoError(t, err)

	require.NoError(t, k.Rewrap(ctx, newP))
	newFile, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotEqual(t, oldFile, newFile)

	// The old master key no longer opens the keyring; the new one does,
	// and the data sealed before rotation still opens.
	_, err = Open(ctx, path, oldP)
	require.ErrorIs(t, err, ErrWrongMasterKey)
	for _, kr := range []*Keyring{k, openKeyring(t, path, newP)} {
		for ds, want := range before {
			dk, err := kr.DataKey(ctx, ds)
			require.NoError(t, err)
			require.Equal(t, want, dk.Bytes())
			plain, err := sealed.Open(dk.Derive(PurposeRawStore), []byte(ds), sealedData[ds])
			require.NoError(t, err)
			require.Equal(t, "record of "+ds, string(plain))
		}
	}
	// New keys after rotation are wrapped under the new master key.
	_, err = k.DataKey(ctx, "d")
	require.NoError(t, err)
	openKeyring(t, path, newP)
}

func TestKeyringRewrapFailureLeavesFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys.json")
	p := localProvider(t, fixedKey(1))
	k := openKeyring(t, path, p)
	_, err := k.DataKey(ctx, "a")
	require.NoError(t, err)
	_, err = k.DataKey(ctx, "b")
	require.NoError(t, err)
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	calls := 0
	boom := errors.New("kms unavailable")
	failing := &fakeProvider{
		name: "local",
		wrap: func(_ context.Context, dek []byte) ([]byte, error) {
			calls++
			if calls == 2 {
				return nil, boom
			}
			return p.Wrap(context.Background(), dek)
		},
		unwrap: p.Unwrap,
	}
	err = k.Rewrap(ctx, failing)
	require.ErrorIs(t, err, boom)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, before, after)
	_, err = k.DataKey(ctx, "c") // still uses the old provider
	require.NoError(t, err)
	openKeyring(t, path, p)
}

// fakeProvider is a Provider made of function fields.
type fakeProvider struct {
	name   string
	wrap   func(ctx context.Context, dek []byte) ([]byte, error)
	unwrap func(ctx context.Context, wrapped []byte) ([]byte, error)
}

func (f *fakeProvider) Name() string { return f.name }
func (f *fakeProvider) Wrap(ctx context.Context, dek []byte) ([]byte, error) {
	return f.wrap(ctx, dek)
}
func (f *fakeProvider) Unwrap(ctx context.Context, w []byte) ([]byte, error) {
	return f.unwrap(ctx, w)
}

func TestKeyringRejectsEditedFile(t *testing.T) {
	ctx := context.Background()
	p := localProvider(t, fixedKey(1))
	tests := []struct {
		name    string
		edit    func(f *keysFile)
		p       Provider
		wantErr string
	}{
		{
			name: "wrapped keys swapped between data stores",
			edit: func(f *keysFile) {
				a, b := f.Datastores["a"], f.Datastores["b"]
				a.Keys[0].Wrapped, b.Keys[0].Wrapped = b.Keys[0].Wrapped, a.Keys[0].Wrapped
			},
			p:       p,
			wantErr: "wrapped key belongs to another data store or version",
		},
		{
			name:    "current version missing",
			edit:    func(f *keysFile) { f.Datastores["a"].Current = 2 },
			p:       p,
			wantErr: `data store "a": current key version 2 is missing`,
		},
		{
			name:    "unknown format",
			edit:    func(f *keysFile) { f.Format = 9 },
			p:       p,
			wantErr: "unsupported format 9",
		},
		{
			name:    "other provider",
			edit:    func(*keysFile) {},
			p:       &fakeProvider{name: "aws-kms"},
			wantErr: `is wrapped by provider "local", not "aws-kms"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys.json")
			k := openKeyring(t, path, p)
			for _, ds := range []string{"a", "b"} {
				_, err := k.DataKey(ctx, ds)
				require.NoError(t, err)
			}
			var f keysFile
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &f))
			tt.edit(&f)
			raw, err = json.Marshal(f)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, raw, 0o600))
			_, err = Open(ctx, path, tt.p)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, []byte("{not json"), 0o600))
	_, err := Open(ctx, path, p)
	require.ErrorContains(t, err, "keyring: open "+path)
}

func TestKeyringConcurrentFirstUse(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys.json")
	k := openKeyring(t, path, localProvider(t, fixedKey(1)))
	var wg sync.WaitGroup
	keys := make([][]byte, 8)
	for i := range keys {
		wg.Go(func() {
			dk, err := k.DataKey(ctx, fmt.Sprintf("ds%d", i%2))
			if err == nil {
				keys[i] = dk.Bytes()
			}
		})
	}
	wg.Wait()
	for i := range keys {
		require.Equal(t, keys[i%2], keys[i])
	}
	require.NotEqual(t, keys[0], keys[1])
}

// hkdfSHA256 is RFC 5869 written out with crypto/hmac, to check Derive
// against an independent implementation.
func hkdfSHA256(secret, salt, info []byte, n int) []byte {
	if salt == nil {
		salt = make([]byte, sha256.Size)
	}
	ext := hmac.New(sha256.New, salt)
	ext.Write(secret)
	prk := ext.Sum(nil)
	var out, t []byte
	for i := byte(1); len(out) < n; i++ {
		m := hmac.New(sha256.New, prk)
		m.Write(t)
		m.Write(info)
		m.Write([]byte{i})
		t = m.Sum(nil)
		out = append(out, t...)
	}
	return out[:n]
}

func TestDataKeyDerive(t *testing.T) {
	dk := DataKey{datastore: "ds1", version: 1}
	for i := range dk.key {
		dk.key[i] = byte(i)
	}
	purposes := []string{PurposeRawStore, PurposeParquetFooter, PurposeParquetColumn, PurposeSearchIndex, PurposeAudit, PurposeExport, PurposeImport}
	seen := map[string]string{}
	for _, p := range purposes {
		sub := dk.Derive(p)
		require.Len(t, sub, KeySize)
		require.Equal(t, sub, dk.Derive(p))
		require.Equal(t, hkdfSHA256(dk.key[:], nil, []byte("fhirlake data key v1\x00"+p), KeySize), sub)
		require.NotEqual(t, dk.Bytes(), sub)
		h := hex.EncodeToString(sub)
		require.NotContains(t, seen, h, "purposes %s and %s share a subkey", p, seen[h])
		seen[h] = p
	}
	out := fmt.Sprintf("%v %+v %#v %x %s", dk, dk, dk, dk, dk)
	require.NotContains(t, out, hex.EncodeToString(dk.key[:4]))
	require.Contains(t, out, `DataKey("ds1" v1, redacted)`)
}
