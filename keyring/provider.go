package keyring

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
)

// Provider wraps and unwraps data keys with a master key it holds or
// reaches. It is the plug-in point for key management services: a KMS
// provider calls its service's encrypt and decrypt operations.
type Provider interface {
	// Name identifies the provider kind ("local", "aws-kms", ...). It is
	// recorded with every wrapped key.
	Name() string
	// Wrap encrypts dek and returns an opaque blob. It must not retain
	// dek.
	Wrap(ctx context.Context, dek []byte) ([]byte, error)
	// Unwrap returns the key wrapped by Wrap. It fails, never returning
	// garbage, when the blob was wrapped under another master key or was
	// modified; a wrong master key should be reported as a
	// *WrongKeyError.
	Unwrap(ctx context.Context, wrapped []byte) ([]byte, error)
}

// ErrWrongMasterKey is matched (errors.Is) by every *WrongKeyError.
var ErrWrongMasterKey = errors.New("keyring: wrong master key")

// WrongKeyError reports a data key wrapped under a different master key
// than the one given.
type WrongKeyError struct {
	Have string // fingerprint of the master key in use
	Want string // fingerprint of the master key the data was wrapped under
}

// Error names both fingerprints.
func (e *WrongKeyError) Error() string {
	return fmt.Sprintf("keyring: wrong master key (fingerprint %s, data wrapped under %s)", e.Have, e.Want)
}

// Is makes errors.Is(err, ErrWrongMasterKey) true.
func (e *WrongKeyError) Is(target error) bool { return target == ErrWrongMasterKey }

const (
	wrapVersion  = 1
	wrapNonce    = 12
	wrapHeader   = 1 + fingerprintSize
	wrapOverhead = wrapHeader + wrapNonce + 16
)

// LocalProvider wraps data keys with a MasterKey held in memory
// (AES-256-GCM). It is safe for concurrent use.
type LocalProvider struct {
	fp   []byte
	aead cipher.AEAD
}

// NewLocalProvider returns a provider for k.
func NewLocalProvider(k MasterKey) (*LocalProvider, error) {
	if k.IsZero() {
		return nil, errors.New("keyring: local provider: zero master key")
	}
	block, err := aes.NewCipher(k.b[:])
	if err != nil {
		return nil, fmt.Errorf("keyring: local provider: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("keyring: local provider: %w", err)
	}
	return &LocalProvider{fp: k.fingerprint(), aead: aead}, nil
}

// Name returns "local".
func (p *LocalProvider) Name() string { return "local" }

// Fingerprint returns the master key fingerprint in hex.
func (p *LocalProvider) Fingerprint() string { return hex.EncodeToString(p.fp) }

// Wrap seals dek under the master key.
func (p *LocalProvider) Wrap(_ context.Context, dek []byte) ([]byte, error) {
	out := make([]byte, wrapHeader+wrapNonce, wrapOverhead+len(dek))
	out[0] = wrapVersion
	copy(out[1:], p.fp)
	nonce := out[wrapHeader : wrapHeader+wrapNonce]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("keyring: wrap: random nonce: %w", err)
	}
	return p.aead.Seal(out, nonce, dek, out[:wrapHeader]), nil
}

// Unwrap opens a blob made by Wrap. A blob wrapped under another master
// key fails with a *WrongKeyError.
func (p *LocalProvider) Unwrap(_ context.Context, wrapped []byte) ([]byte, error) {
	if len(wrapped) < wrapOverhead {
		return nil, fmt.Errorf("keyring: unwrap: wrapped key too short (%d bytes)", len(wrapped))
	}
	if wrapped[0] != wrapVersion {
		return nil, fmt.Errorf("keyring: unwrap: unsupported wrapped key version %d", wrapped[0])
	}
	if fp := wrapped[1:wrapHeader]; !bytes.Equal(fp, p.fp) {
		return nil, &WrongKeyError{Have: p.Fingerprint(), Want: hex.EncodeToString(fp)}
	}
	nonce := wrapped[wrapHeader : wrapHeader+wrapNonce]
	dek, err := p.aead.Open(nil, nonce, wrapped[wrapHeader+wrapNonce:], wrapped[:wrapHeader])
	if err != nil {
		return nil, fmt.Errorf("keyring: unwrap: wrapped key is damaged (authentication failed under master key %s)", p.Fingerprint())
	}
	return dek, nil
}
