package deid

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"hash"
	"sync"
)

// Domain separation labels: the same input string yields unrelated
// pseudonyms for ids, identifier values and date offsets.
const (
	domainID         = "id\x00"
	domainIdentifier = "identifier\x00"
	domainName       = "name\x00"
	domainShift      = "shift\x00"
)

// pseudonymLen is the number of HMAC bytes kept in a pseudonym: 128 bits,
// so collisions are negligible for any data store.
const pseudonymLen = 16

// lowerBase32 encodes pseudonyms with letters a-z and digits 2-7, valid in
// a FHIR id ([A-Za-z0-9\-\.]{1,64}) and in any string.
var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// keyed computes HMAC-SHA-256 pseudonyms. hmac hashes are not safe for
// concurrent use, so a pool hands one to each caller.
type keyed struct {
	pool sync.Pool
}

func newKeyed(key []byte) *keyed {
	k := &keyed{}
	k.pool.New = func() any { return hmac.New(sha256.New, key) }
	return k
}

// sum returns HMAC(key, domain || parts joined by NUL).
func (k *keyed) sum(dst *[sha256.Size]byte, domain string, parts ...string) {
	h := k.pool.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(domain))
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	h.Sum(dst[:0])
	k.pool.Put(h)
}

// token returns a 26-character lowercase base32 pseudonym.
func (k *keyed) token(domain string, parts ...string) string {
	var sum [sha256.Size]byte
	k.sum(&sum, domain, parts...)
	return lowerBase32.EncodeToString(sum[:pseudonymLen])
}

// uuid returns a pseudonym shaped as a version 4 UUID, for urn:uuid:
// values that must stay UUIDs.
func (k *keyed) uuid(domain, s string) string {
	var sum [sha256.Size]byte
	k.sum(&sum, domain, s)
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hexDigits[c>>4], hexDigits[c&0xf]
		j += 2
	}
	return string(b[:])
}

// offset returns a day offset in [-max, +max] excluding 0 derived from
// the key and s.
func (k *keyed) offset(s string, max int) int {
	var sum [sha256.Size]byte
	k.sum(&sum, domainShift, s)
	n := int(binary.BigEndian.Uint64(sum[:8]) % uint64(2*max))
	if n < max {
		return n - max // -max .. -1
	}
	return n - max + 1 // 1 .. max
}
