package smart

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const (
	// refetchInterval bounds how often an unknown key id may trigger a
	// fetch of the key set URL, so that random kids cannot make the
	// server hammer the identity provider.
	refetchInterval = time.Minute
	// maxKeySetAge is how long a fetched key set is used before it is
	// fetched again, so that keys the provider withdraws stop verifying.
	maxKeySetAge = time.Hour
	// maxKeySetBytes caps a key set document.
	maxKeySetBytes = 1 << 20
	// minRSABits is the smallest RSA modulus accepted for RS256.
	minRSABits = 2048
)

// keySet holds the public signing keys a Verifier trusts.
type keySet struct {
	url    string
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex
	keys    []jose.JSONWebKey
	fetched time.Time // zero for a file
}

// loadKeySet reads the key set named by cfg.
func loadKeySet(ctx context.Context, cfg Config) (*keySet, error) {
	ks := &keySet{url: cfg.JWKSURL, client: cfg.HTTPClient, now: cfg.now}
	if ks.client == nil {
		ks.client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.JWKSFile != "" {
		b, err := os.ReadFile(cfg.JWKSFile)
		if err != nil {
			return nil, fmt.Errorf("smart: read key set: %w", err)
		}
		keys, err := parseKeySet(b)
		if err != nil {
			return nil, fmt.Errorf("smart: key set %s: %w", cfg.JWKSFile, err)
		}
		ks.keys = keys
		return ks, nil
	}
	if err := ks.fetch(ctx); err != nil {
		return nil, err
	}
	return ks, nil
}

// parseKeySet decodes a JWKS document and keeps its public signature keys
// that RS256 or ES256 can use.
func parseKeySet(b []byte) ([]jose.JSONWebKey, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("decode JWKS: %w", err)
	}
	var keys []jose.JSONWebKey
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		pub := k.Public()
		if !pub.Valid() || keyAlgorithm(pub.Key) == "" {
			continue
		}
		keys = append(keys, pub)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no RS256 or ES256 signature keys")
	}
	return keys, nil
}

// keyAlgorithm names the one algorithm a public key may verify, or "" if
// the key is unusable (symmetric, too short, or on another curve).
func keyAlgorithm(k any) jose.SignatureAlgorithm {
	switch k := k.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() >= minRSABits {
			return jose.RS256
		}
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return jose.ES256
		}
	}
	return ""
}

// fetch downloads the key set URL and replaces the keys.
func (ks *keySet) fetch(ctx context.Context) error {
	ks.fetched = ks.now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ks.url, nil)
	if err != nil {
		return fmt.Errorf("smart: fetch key set: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := ks.client.Do(req)
	if err != nil {
		return fmt.Errorf("smart: fetch key set: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("smart: fetch key set %s: status %s", ks.url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxKeySetBytes+1))
	if err != nil {
		return fmt.Errorf("smart: fetch key set %s: %w", ks.url, err)
	}
	if len(b) > maxKeySetBytes {
		return fmt.Errorf("smart: fetch key set %s: larger than %d bytes", ks.url, maxKeySetBytes)
	}
	keys, err := parseKeySet(b)
	if err != nil {
		return fmt.Errorf("smart: key set %s: %w", ks.url, err)
	}
	ks.keys = keys
	return nil
}

// key returns the key that must verify a token signed with alg under kid
// (kid may be empty). It refreshes a URL key set when it is stale, or when
// kid is unknown and the last fetch is more than a minute old. A failed
// refresh keeps the previous keys.
func (ks *keySet) key(ctx context.Context, kid string, alg jose.SignatureAlgorithm) (jose.JSONWebKey, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.url != "" && ks.now().Sub(ks.fetched) > maxKeySetAge {
		_ = ks.fetch(ctx) // keep the old keys if the provider is down
	}
	if kid == "" {
		if len(ks.keys) != 1 {
			return jose.JSONWebKey{}, refuse(fmt.Sprintf("no key id and the key set holds %d keys", len(ks.keys)), nil)
		}
		return ks.match(ks.keys[0], alg)
	}
	k, ok := ks.find(kid, alg)
	if !ok && ks.url != "" && ks.now().Sub(ks.fetched) >= refetchInterval {
		if err := ks.fetch(ctx); err != nil {
			return jose.JSONWebKey{}, refuse("key id not in key set", err)
		}
		k, ok = ks.find(kid, alg)
	}
	if !ok {
		return jose.JSONWebKey{}, refuse("key id not in key set", nil)
	}
	return ks.match(k, alg)
}

// find returns the key with kid, preferring one usable with alg.
func (ks *keySet) find(kid string, alg jose.SignatureAlgorithm) (jose.JSONWebKey, bool) {
	var found *jose.JSONWebKey
	for i := range ks.keys {
		if ks.keys[i].KeyID != kid {
			continue
		}
		if keyAlgorithm(ks.keys[i].Key) == alg {
			return ks.keys[i], true
		}
		found = &ks.keys[i]
	}
	if found == nil {
		return jose.JSONWebKey{}, false
	}
	return *found, true
}

// match refuses a key that cannot verify alg, or whose declared alg differs.
func (ks *keySet) match(k jose.JSONWebKey, alg jose.SignatureAlgorithm) (jose.JSONWebKey, error) {
	if keyAlgorithm(k.Key) != alg || (k.Algorithm != "" && k.Algorithm != string(alg)) {
		return jose.JSONWebKey{}, refuse("key does not match the token's algorithm", nil)
	}
	return k, nil
}
