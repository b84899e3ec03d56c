package keyring

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// KeySize is the length in bytes of master and data keys (AES-256).
const KeySize = 32

// fingerprintSize is the number of SHA-256 bytes kept as a fingerprint.
const fingerprintSize = 8

// MasterKey is the key-encryption key of an installation. Its String,
// GoString and Format methods never reveal the key bytes, so it is safe
// to log by accident.
type MasterKey struct {
	b [KeySize]byte
}

// GenerateMasterKey returns a new random master key.
func GenerateMasterKey() (MasterKey, error) {
	var k MasterKey
	if _, err := rand.Read(k.b[:]); err != nil {
		return MasterKey{}, fmt.Errorf("keyring: random master key: %w", err)
	}
	return k, nil
}

// ParseMasterKey decodes the key file / environment format: standard
// base64 of 32 bytes, surrounding white space ignored. Errors never quote
// the input.
func ParseMasterKey(text string) (MasterKey, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return MasterKey{}, fmt.Errorf("keyring: master key is empty")
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return MasterKey{}, fmt.Errorf("keyring: master key is not valid base64 (want one line of standard base64 encoding 32 bytes)")
	}
	if len(raw) != KeySize {
		return MasterKey{}, fmt.Errorf("keyring: master key has %d bytes, want %d", len(raw), KeySize)
	}
	var k MasterKey
	copy(k.b[:], raw)
	clear(raw)
	return k, nil
}

// Encode returns the key file format: base64 and a newline.
func (k MasterKey) Encode() string {
	return base64.StdEncoding.EncodeToString(k.b[:]) + "\n"
}

// Fingerprint identifies the key without revealing it: the first 8 bytes
// of SHA-256 over a domain-separation label and the key, in hex.
func (k MasterKey) Fingerprint() string {
	return hex.EncodeToString(k.fingerprint())
}

func (k MasterKey) fingerprint() []byte {
	h := sha256.New()
	h.Write([]byte("fhirlake master key fingerprint v1\x00"))
	h.Write(k.b[:])
	return h.Sum(nil)[:fingerprintSize]
}

// IsZero reports whether k is the zero value (no key).
func (k MasterKey) IsZero() bool { return k == MasterKey{} }

// String returns a redacted description with the fingerprint.
func (k MasterKey) String() string {
	return "MasterKey(redacted, fingerprint " + k.Fingerprint() + ")"
}

// GoString is String, so %#v does not print the bytes either.
func (k MasterKey) GoString() string { return k.String() }

// Format makes every fmt verb print the redacted form.
func (k MasterKey) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte(k.String()))
}
