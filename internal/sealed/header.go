package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

const (
	magic        = "FLSE"
	version      = 1
	headerSize   = 4 + 1 + 1 + 4 + saltSize + prefixSize
	saltSize     = 16
	prefixSize   = 8
	tagSize      = 16
	keySize      = 32
	streamInfo   = "fhirlake sealed stream v1"
	minChunkSize = 1 << 10
	maxChunkSize = 16 << 20

	// ChunkSize is the plaintext size of every chunk but the last.
	ChunkSize = 64 << 10
)

// header is the parsed stream header.
type header struct {
	raw       [headerSize]byte
	chunkSize int
}

func (h *header) salt() []byte   { return h.raw[10 : 10+saltSize] }
func (h *header) prefix() []byte { return h.raw[10+saltSize:] }

// newHeader makes a header with a fresh random salt and nonce prefix.
func newHeader(chunkSize int) (*header, error) {
	h := &header{chunkSize: chunkSize}
	copy(h.raw[:4], magic)
	h.raw[4] = version
	binary.BigEndian.PutUint32(h.raw[6:10], uint32(chunkSize))
	if _, err := rand.Read(h.raw[10:]); err != nil {
		return nil, fmt.Errorf("sealed: random salt: %w", err)
	}
	return h, nil
}

// parseHeader checks magic, version and chunk size.
func parseHeader(b []byte) (*header, error) {
	h := &header{}
	copy(h.raw[:], b)
	if string(h.raw[:4]) != magic {
		return nil, fmt.Errorf("sealed: header: %w (bad magic %q)", ErrFormat, h.raw[:4])
	}
	if h.raw[4] != version {
		return nil, fmt.Errorf("sealed: header: %w (unsupported version %d)", ErrFormat, h.raw[4])
	}
	cs := binary.BigEndian.Uint32(h.raw[6:10])
	if cs < minChunkSize || cs > maxChunkSize {
		return nil, fmt.Errorf("sealed: header: %w (chunk size %d out of range)", ErrFormat, cs)
	}
	h.chunkSize = int(cs)
	return h, nil
}

// streamAEAD derives the per-stream key from key and the header salt.
func (h *header) streamAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("sealed: %w, got %d", ErrKeySize, len(key))
	}
	sk, err := hkdf.Key(sha256.New, key, h.salt(), streamInfo, keySize)
	if err != nil {
		return nil, fmt.Errorf("sealed: derive stream key: %w", err)
	}
	return newGCM(sk)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("sealed: %w, got %d", ErrKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	return aead, nil
}

// chunkCrypto holds the per-chunk nonce and AAD buffers of one stream.
type chunkCrypto struct {
	aead  cipher.AEAD
	nonce [12]byte
	aad   []byte // header || final || caller AAD
	index uint64
}

func newChunkCrypto(h *header, aead cipher.AEAD, aad []byte) *chunkCrypto {
	c := &chunkCrypto{aead: aead}
	copy(c.nonce[:prefixSize], h.prefix())
	c.aad = make([]byte, 0, headerSize+1+len(aad))
	c.aad = append(c.aad, h.raw[:]...)
	c.aad = append(c.aad, 0)
	c.aad = append(c.aad, aad...)
	return c
}

// next sets the nonce and final flag for the next chunk; it fails once the
// 32-bit counter is exhausted (256 TiB at 64 KiB chunks).
func (c *chunkCrypto) next(final bool) error {
	if c.index > 0xFFFFFFFF {
		return fmt.Errorf("sealed: stream too long (more than 2^32 chunks)")
	}
	binary.BigEndian.PutUint32(c.nonce[prefixSize:], uint32(c.index))
	c.aad[headerSize] = 0
	if final {
		c.aad[headerSize] = 1
	}
	c.index++
	return nil
}
