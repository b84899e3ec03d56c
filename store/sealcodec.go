package store

import (
	"fmt"
	"sync"
)

// sealCodec encrypts what another codec encodes: compress, then seal
// (ciphertext does not compress). The key a Codec receives (type 0x00 id
// 0x00 version) is the associated data, so a sealed body stored under
// another resource or version fails to authenticate.
type sealCodec struct {
	inner Codec
	enc   *Encryption
}

// Name is the inner codec's: the file records the encryption separately.
func (c *sealCodec) Name() string { return c.inner.Name() }

// scratchPool recycles the buffers bodies are compressed into before they
// are sealed.
var scratchPool = sync.Pool{New: func() any { return new([]byte) }}

func (c *sealCodec) Encode(dst, plain, key []byte) ([]byte, error) {
	buf := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(buf)
	packed, err := c.inner.Encode((*buf)[:0], plain, key)
	if err != nil {
		return nil, err
	}
	*buf = packed
	return c.enc.seal(dst, domainBody, key, packed)
}

func (c *sealCodec) Decode(dst, stored, key []byte) ([]byte, error) {
	packed, err := c.enc.open(domainBody, key, stored)
	if err != nil {
		return nil, err
	}
	return c.inner.Decode(dst, packed, key)
}

// sealed returns c wrapped so that it seals, or c itself when the store is
// not encrypted.
func (e *Encryption) sealed(c Codec) Codec {
	if e == nil {
		return c
	}
	return &sealCodec{inner: c, enc: e}
}

// dictValue returns how d is recorded in meta: sealed with the type as
// associated data when the store is encrypted (dictionaries are made of
// resource bodies).
func (e *Encryption) dictValue(typ string, d dictEntry) ([]byte, error) {
	v := d.value()
	if e == nil {
		return v, nil
	}
	out, err := e.seal(nil, domainDict, []byte(typ), v)
	if err != nil {
		return nil, fmt.Errorf("dictionary for %s: %w", typ, err)
	}
	return out, nil
}

// openDict returns the plain form of a dictionary value read from meta.
func (e *Encryption) openDict(typ string, v []byte) ([]byte, error) {
	if e == nil {
		return v, nil
	}
	plain, err := e.open(domainDict, []byte(typ), v)
	if err != nil {
		return nil, fmt.Errorf("dictionary for %s: %w", typ, err)
	}
	return plain, nil
}
