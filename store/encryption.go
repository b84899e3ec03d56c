package store

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"hash"
	"sync"

	"github.com/fhirlake/fhirlake/internal/sealed"
)

// Encryption seals everything a store writes that can hold resource
// content (see "Encryption at rest" in the package documentation). It is
// made from one 32-byte key, normally the data store's raw-store subkey
// (keyring.DataKey.Derive(keyring.PurposeRawStore)), from which it derives
// with HKDF-SHA256 one key for AES-256-GCM sealing, one for the keyed
// hashes of the identifier index and content hashes, and one for the key
// check value recorded in the file. It is safe for concurrent use and
// holds no file: one Encryption may serve several Opens of the same store.
type Encryption struct {
	box   *sealed.Box
	check []byte    // key check value, see initEncryption
	macs  sync.Pool // of *macState: HMAC-SHA256 keyed with the index key
}

// encScheme names the encryption scheme in the meta bucket; a file sealed
// by another scheme is refused rather than misread.
const encScheme = "aes-256-gcm+hmac-sha256/1"

// HKDF info labels of the subkeys. Never reuse one for another purpose.
const (
	infoSeal  = "fhirlake store v1 seal"
	infoIndex = "fhirlake store v1 index"
	infoCheck = "fhirlake store v1 key check"
)

// Domain bytes, prefixed to associated data and MAC inputs so that no
// value or hash made for one purpose is valid for another.
const (
	domainBody    = 'b' // version bodies (AD: type 0x00 id 0x00 version)
	domainDict    = 'd' // compression dictionaries (AD: type)
	domainValue   = 'V' // identifier values (MAC: type 0x00 value)
	domainSystem  = 'S' // identifier systems (MAC: type 0x00 system)
	domainContent = 'C' // content hashes (MAC: SHA-256 of the content)
)

// identHashLen is the length of the keyed hashes in identifier index keys:
// 128 bits make collisions negligible, and FindByIdentifier checks every
// candidate against the resource anyway.
const identHashLen = 16

// NewEncryption returns the Encryption for a 32-byte key.
func NewEncryption(key []byte) (*Encryption, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("store: encryption key has %d bytes, want 32", len(key))
	}
	var sub [3][]byte
	for i, info := range []string{infoSeal, infoIndex, infoCheck} {
		k, err := hkdf.Key(sha256.New, key, nil, info, 32)
		if err != nil {
			return nil, fmt.Errorf("store: derive %s key: %w", info, err)
		}
		sub[i] = k
	}
	box, err := sealed.NewBox(sub[0])
	if err != nil {
		return nil, fmt.Errorf("store: encryption: %w", err)
	}
	check := hmac.New(sha256.New, sub[2])
	check.Write([]byte(encScheme))
	e := &Encryption{box: box, check: check.Sum(nil)}
	indexKey := sub[1]
	e.macs.New = func() any { return &macState{h: hmac.New(sha256.New, indexKey)} }
	return e, nil
}

// seal appends to dst the sealed form of plain, bound to domain and ad.
// dst and plain must not overlap.
func (e *Encryption) seal(dst []byte, domain byte, ad, plain []byte) ([]byte, error) {
	var buf [160]byte
	out, err := e.box.AppendSeal(dst, appendDomain(buf[:0], domain, ad), plain)
	if err != nil {
		return nil, fmt.Errorf("store: seal: %w", err)
	}
	return out, nil
}

// open authenticates and decrypts a value made by seal with the same
// domain and ad, returning the plaintext in a new slice.
func (e *Encryption) open(domain byte, ad, stored []byte) ([]byte, error) {
	var buf [160]byte
	plain, err := e.box.Open(appendDomain(buf[:0], domain, ad), stored)
	if err != nil {
		return nil, fmt.Errorf("store: open sealed value: %w", err)
	}
	return plain, nil
}

func appendDomain(dst []byte, domain byte, ad []byte) []byte {
	return append(append(dst, domain), ad...)
}

// appendMAC appends the first n bytes of HMAC-SHA256(index key, domain ||
// a || 0x00 || b) to dst.
func (e *Encryption) appendMAC(dst []byte, n int, domain byte, a string, b []byte) []byte {
	m := e.macs.Get().(*macState)
	m.buf = append(m.buf[:0], domain)
	m.buf = append(m.buf, a...)
	m.buf = append(m.buf, sep)
	m.buf = append(m.buf, b...)
	m.h.Reset()
	m.h.Write(m.buf)
	m.sum = m.h.Sum(m.sum[:0])
	dst = append(dst, m.sum[:n]...)
	e.macs.Put(m)
	return dst
}

// macState is a keyed HMAC with its buffers, recycled through
// Encryption.macs so that hashing allocates nothing.
type macState struct {
	h        hash.Hash
	buf, sum []byte
}

// keyContentHash replaces a content hash (SHA-256 of the canonical
// content, kept in every head for unchanged detection) with a keyed hash
// of it. An unkeyed hash would let anyone holding the file confirm a
// guess of a resource's content, e.g. try every value of one lab result.
// A nil Encryption leaves the hash as it is.
func (e *Encryption) keyContentHash(h *[32]byte) {
	if e == nil {
		return
	}
	e.appendMAC(h[:0], sha256.Size, domainContent, "", h[:])
}
