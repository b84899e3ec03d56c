package sealed

import (
	"crypto/cipher"
	"crypto/rand"
	"fmt"
)

const (
	valueVersion  = 1
	nonceSize     = 12
	valueOverhead = 1 + nonceSize + tagSize
)

// Overhead is the number of bytes Seal adds to a plaintext.
const Overhead = valueOverhead

// Box seals and opens single values with one key. It keeps the expanded
// AES key, so it is much cheaper per value than Seal and Open. A Box is
// safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// NewBox returns a Box for key, which must be 32 bytes.
func NewBox(key []byte) (*Box, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext bound to aad and returns version || nonce ||
// ciphertext || tag in a new slice.
func (b *Box) Seal(aad, plaintext []byte) ([]byte, error) {
	return b.AppendSeal(make([]byte, 0, len(plaintext)+valueOverhead), aad, plaintext)
}

// AppendSeal is Seal appending to dst; dst and plaintext must not overlap.
func (b *Box) AppendSeal(dst, aad, plaintext []byte) ([]byte, error) {
	start := len(dst)
	dst = append(dst, valueVersion)
	dst = append(dst, make([]byte, nonceSize)...)
	nonce := dst[start+1 : start+1+nonceSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("sealed: random nonce: %w", err)
	}
	return b.aead.Seal(dst, nonce, plaintext, valueAAD(aad)), nil
}

// Open authenticates and decrypts a value made by Seal with the same key
// and aad, returning the plaintext in a new slice.
func (b *Box) Open(aad, sealed []byte) ([]byte, error) {
	if len(sealed) < valueOverhead {
		return nil, fmt.Errorf("sealed: value: %w (%d bytes, shorter than %d)", ErrFormat, len(sealed), valueOverhead)
	}
	if sealed[0] != valueVersion {
		return nil, fmt.Errorf("sealed: value: %w (unsupported version %d)", ErrFormat, sealed[0])
	}
	nonce := sealed[1 : 1+nonceSize]
	pt, err := b.aead.Open(nil, nonce, sealed[1+nonceSize:], valueAAD(aad))
	if err != nil {
		return nil, fmt.Errorf("sealed: value: %w", ErrAuth)
	}
	return pt, nil
}

// valueAAD prefixes the caller's AAD with the format version so that a
// value cannot be replayed under a later format.
func valueAAD(aad []byte) []byte {
	out := make([]byte, 0, 1+len(aad))
	out = append(out, valueVersion)
	return append(out, aad...)
}

// Seal encrypts one value with key (32 bytes) bound to aad. For many
// values under one key, use a Box.
func Seal(key, aad, plaintext []byte) ([]byte, error) {
	b, err := NewBox(key)
	if err != nil {
		return nil, err
	}
	return b.Seal(aad, plaintext)
}

// Open decrypts a value made by Seal with the same key and aad. It fails
// with an error wrapping ErrAuth when the key or aad is wrong or the value
// was modified.
func Open(key, aad, sealed []byte) ([]byte, error) {
	b, err := NewBox(key)
	if err != nil {
		return nil, err
	}
	return b.Open(aad, sealed)
}
