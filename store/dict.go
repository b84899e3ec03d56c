package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// Resources are small (most compress to a few hundred bytes) and share
// much boilerplate with other resources of their type: code system URLs,
// element names, fixed codes. One zstd frame per resource cannot exploit
// that on its own, so a store using the default codec trains a dictionary
// per resource type from the first batch with enough new versions of that
// type, and keeps it in meta ("dict/" type -> 4-byte dictionary id,
// content; sealed in an encrypted store, since it is made of bodies).
// Later bodies of the type are compressed against it. zstd
// frames name their dictionary, so bodies written before it existed still
// decode.
const (
	dictPrefix   = "dict/"
	dictMinBatch = 100      // new versions of a type a batch needs to train from
	dictMaxSize  = 32 << 10 // bytes of sample bodies in a dictionary
)

// codecs holds the codecs a store encodes and decodes with. Put adds
// dictionaries (under Store.wmu) while readers use them, so the set is an
// immutable snapshot swapped atomically.
type codecs struct {
	base Codec
	auto bool        // base is the default codec: Put may train dictionaries
	seal *Encryption // nil: bodies are stored as base encodes them
	cur  atomic.Pointer[dictSet]
}

// dictSet is the dictionaries of a store and the codecs built from them.
type dictSet struct {
	dicts  map[string]dictEntry // by resource type
	raw    map[string]*zstdDict // encoders, by resource type
	byType map[string]Codec     // raw, sealed if the store is encrypted
	base   Codec                // encodes types without a dictionary
	reader Codec                // decodes every body of the store
}

type dictEntry struct {
	id      uint32
	content []byte
}

// dec returns the codec to decode any body with.
func (c *codecs) dec() Codec { return c.cur.Load().reader }

// encoder returns the codec to encode a body of typ with, from set.
func (c *codecs) encoder(set *dictSet, typ string) Codec {
	if z, ok := set.byType[typ]; ok {
		return z
	}
	return set.base
}

// with returns a set holding the dictionaries of old plus added.
func (c *codecs) with(old *dictSet, added map[string]dictEntry) (*dictSet, error) {
	base := c.seal.sealed(c.base)
	set := &dictSet{
		dicts: maps.Clone(old.dicts), raw: map[string]*zstdDict{}, byType: map[string]Codec{},
		base: base, reader: base,
	}
	if set.dicts == nil {
		set.dicts = map[string]dictEntry{}
	}
	maps.Copy(set.dicts, added)
	if len(set.dicts) == 0 {
		return set, nil
	}
	opts := []zstd.DOption{zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(1 << 30)}
	for _, d := range set.dicts {
		opts = append(opts, zstd.WithDecoderDictRaw(d.id, d.content))
	}
	dec, err := zstd.NewReader(nil, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: zstd dictionaries: %w", err)
	}
	set.reader = c.seal.sealed(&zstdDict{dec: dec})
	for typ, d := range set.dicts {
		if z, ok := old.raw[typ]; ok {
			set.raw[typ] = &zstdDict{enc: z.enc, dec: dec}
		} else {
			enc, err := zstd.NewWriter(nil,
				zstd.WithEncoderLevel(zstd.SpeedFastest),
				zstd.WithEncoderCRC(true),
				zstd.WithEncoderDictRaw(d.id, d.content))
			if err != nil {
				return nil, fmt.Errorf("store: zstd dictionary for %s: %w", typ, err)
			}
			set.raw[typ] = &zstdDict{enc: enc, dec: dec}
		}
		set.byType[typ] = c.seal.sealed(set.raw[typ])
	}
	return set, nil
}

// zstdDict is the default codec with a store's dictionaries: enc uses the
// dictionary of one type, dec knows all of them.
type zstdDict struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

// Name is the default codec's: the frames are the same format.
func (*zstdDict) Name() string { return zstdCodec{}.Name() }

func (z *zstdDict) Encode(dst, plain, _ []byte) ([]byte, error) {
	if z.enc == nil {
		return nil, fmt.Errorf("store: zstd: decode-only codec")
	}
	return z.enc.EncodeAll(plain, dst), nil
}

func (z *zstdDict) Decode(dst, stored, _ []byte) ([]byte, error) {
	out, err := z.dec.DecodeAll(stored, dst)
	if err != nil {
		return nil, fmt.Errorf("store: zstd decode: %w", err)
	}
	return out, nil
}

// loadDicts reads the dictionaries recorded in the file.
func (s *Store) loadDicts(tx *bolt.Tx) error {
	loaded := map[string]dictEntry{}
	c := tx.Bucket(bucketMeta).Cursor()
	for k, v := c.Seek([]byte(dictPrefix)); k != nil && bytes.HasPrefix(k, []byte(dictPrefix)); k, v = c.Next() {
		typ := string(k[len(dictPrefix):])
		v, err := s.codecs.seal.openDict(typ, v)
		if err != nil {
			return err
		}
		if len(v) < 4+8 {
			return fmt.Errorf("corrupt dictionary %q", k)
		}
		loaded[typ] = dictEntry{
			id:      binary.BigEndian.Uint32(v),
			content: append([]byte(nil), v[4:]...),
		}
	}
	if len(loaded) > 0 && !s.codecs.auto {
		return fmt.Errorf("file has zstd dictionaries, which codec %q cannot use", s.codecs.base.Name())
	}
	set, err := s.codecs.with(&dictSet{}, loaded)
	if err != nil {
		return err
	}
	s.codecs.cur.Store(set)
	return nil
}

// trainDicts returns new dictionaries for the types that have none yet and
// enough new versions in preps, made of sample bodies spread over the
// batch.
func (s *Store) trainDicts(preps []prepared, lastUpdated []byte) map[string]dictEntry {
	if !s.codecs.auto {
		return nil
	}
	have := s.codecs.cur.Load().dicts
	byType := map[string][]int{}
	for i := range preps {
		if _, ok := have[preps[i].typ]; !ok && preps[i].version > 0 {
			byType[preps[i].typ] = append(byType[preps[i].typ], i)
		}
	}
	var added map[string]dictEntry
	next := uint32(len(have)) + 1
	for typ, idx := range byType {
		if len(idx) < dictMinBatch {
			continue
		}
		var content []byte
		// Take evenly spaced samples until the dictionary is full.
		for k := 0; k < len(idx) && len(content) < dictMaxSize; k++ {
			p := &preps[idx[(k*7919)%len(idx)]]
			content = p.appendBody(content, p.version, lastUpdated)
		}
		if added == nil {
			added = map[string]dictEntry{}
		}
		added[typ] = dictEntry{id: next, content: content[:min(len(content), dictMaxSize)]}
		next++
	}
	return added
}

// value is how a dictionary is recorded in meta: id (4 bytes), content.
func (d dictEntry) value() []byte {
	return append(binary.BigEndian.AppendUint32(nil, d.id), d.content...)
}
