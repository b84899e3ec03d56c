package backend

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
)

// Key set limits.
const (
	// MaxKeySetBytes caps a client's JSON Web Key Set.
	MaxKeySetBytes = 64 << 10
	// minRSABits is the smallest RSA modulus accepted.
	minRSABits = 2048
)

// allowedAlgorithms are the assertion signature algorithms: the two SMART
// requires servers to support (RS384, ES384) and their SHA-256 siblings.
// HS* is absent because a public key used as an HMAC secret would let
// anyone forge assertions (algorithm confusion), and none is no signature.
var allowedAlgorithms = []jose.SignatureAlgorithm{jose.RS384, jose.ES384, jose.RS256, jose.ES256}

// ParseKeySet validates a client's JSON Web Key Set and returns its keys.
// Every key must be a public signature key (use absent or "sig") with a
// kid unique in the set: RSA of at least 2048 bits (RS256, RS384), or EC
// on P-256 (ES256) or P-384 (ES384), with an alg, when given, that fits
// the key. A private or symmetric key anywhere fails the whole set, so a
// leaked private key is never stored.
func ParseKeySet(b []byte) ([]jose.JSONWebKey, error) {
	if len(b) > MaxKeySetBytes {
		return nil, fmt.Errorf("backend: key set larger than %d bytes", MaxKeySetBytes)
	}
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("backend: key set is not a JSON Web Key Set: %w", err)
	}
	if len(raw.Keys) == 0 {
		return nil, errors.New(`backend: key set has no keys (want {"keys": [...]})`)
	}
	keys := make([]jose.JSONWebKey, 0, len(raw.Keys))
	for i, kb := range raw.Keys {
		k, err := parseKey(kb)
		if err != nil {
			return nil, fmt.Errorf("backend: key set: key %d: %w", i, err)
		}
		if slices.ContainsFunc(keys, func(o jose.JSONWebKey) bool { return o.KeyID == k.KeyID }) {
			return nil, fmt.Errorf("backend: key set: key %d: kid %q is used twice", i, k.KeyID)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// parseKey validates one key of a set.
func parseKey(b json.RawMessage) (jose.JSONWebKey, error) {
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(b); err != nil {
		return k, err
	}
	switch {
	case k.KeyID == "":
		return k, errors.New("no kid: every key needs a key id, which assertions name")
	case !k.IsPublic():
		return k, fmt.Errorf("kid %q is a private or symmetric key: register only the public key", k.KeyID)
	case k.Use != "" && k.Use != "sig":
		return k, fmt.Errorf("kid %q has use %q, not sig", k.KeyID, k.Use)
	}
	algs := keyAlgorithms(k.Key)
	if len(algs) == 0 {
		return k, fmt.Errorf("kid %q is neither an RSA key of at least %d bits nor an EC key on P-256 or P-384", k.KeyID, minRSABits)
	}
	if k.Algorithm != "" && !slices.Contains(algs, jose.SignatureAlgorithm(k.Algorithm)) {
		return k, fmt.Errorf("kid %q declares alg %q, which its key cannot verify (%v)", k.KeyID, k.Algorithm, algs)
	}
	return k, nil
}

// keyAlgorithms lists the allowed algorithms a public key can verify.
func keyAlgorithms(key any) []jose.SignatureAlgorithm {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() >= minRSABits {
			return []jose.SignatureAlgorithm{jose.RS384, jose.RS256}
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return []jose.SignatureAlgorithm{jose.ES256}
		case elliptic.P384():
			return []jose.SignatureAlgorithm{jose.ES384}
		}
	}
	return nil
}

// findKey returns the key of keys named kid that verifies alg.
func findKey(keys []jose.JSONWebKey, kid string, alg jose.SignatureAlgorithm) (jose.JSONWebKey, bool) {
	for _, k := range keys {
		if k.KeyID == kid && slices.Contains(keyAlgorithms(k.Key), alg) &&
			(k.Algorithm == "" || k.Algorithm == string(alg)) {
			return k, true
		}
	}
	return jose.JSONWebKey{}, false
}
