package store

import (
	"encoding/binary"
	"fmt"
	"time"
)

// flagDeleted marks a tombstone in heads and version values.
const flagDeleted = 1

// head is the value of a resource in the current bucket: what is needed to
// answer "which version is current, and did the content change?" without
// touching the body, and where the version chain starts.
type head struct {
	version int64
	updated int64  // lastUpdated, Unix milliseconds
	seq     uint64 // key of the current version in the versions bucket
	deleted bool
	hash    [32]byte // SHA-256 of the canonical content (keyed, see keyContentHash); zero for tombstones
}

const headLen = 8 + 8 + 8 + 1 + 32

func (h *head) appendTo(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(h.version))
	dst = binary.BigEndian.AppendUint64(dst, uint64(h.updated))
	dst = binary.BigEndian.AppendUint64(dst, h.seq)
	dst = append(dst, flags(h.deleted))
	return append(dst, h.hash[:]...)
}

func decodeHead(v []byte) (head, error) {
	if len(v) != headLen {
		return head{}, fmt.Errorf("store: corrupt head record (%d bytes)", len(v))
	}
	h := head{
		version: int64(binary.BigEndian.Uint64(v[0:])),
		updated: int64(binary.BigEndian.Uint64(v[8:])),
		seq:     binary.BigEndian.Uint64(v[16:]),
		deleted: v[24]&flagDeleted != 0,
	}
	copy(h.hash[:], v[25:])
	return h, nil
}

// verHeader is the header of a value in the versions bucket:
//
//	flags (1) | lastUpdated, Unix ms (8) | version (8) | prev seq (8) |
//	len(type) (1) | type | len(id) (1) | id
//
// followed by the codec-encoded body (nothing for a tombstone). prev is the
// sequence number of the previous version of the same resource, 0 for the
// first, so the versions of a resource form a chain from its head.
type verHeader struct {
	deleted bool
	updated int64
	version int64
	prev    uint64
	typ, id []byte // alias the value; copy before the transaction ends
}

// verFixedLen is the length of the fixed-size fields of a verHeader.
const verFixedLen = 1 + 8 + 8 + 8

// verHeaderLen is the length of the header of a version of typ/id. Types
// and ids are validated to be shorter than 256 bytes (ids at most 64).
func verHeaderLen(typ, id string) int { return verFixedLen + 1 + len(typ) + 1 + len(id) }

// appendVerHeader appends a header with the given type and id and zero
// fixed fields; putFixed fills those in later, in place.
func appendVerHeader(dst []byte, typ, id string) []byte {
	dst = append(dst, make([]byte, verFixedLen)...)
	dst = append(dst, byte(len(typ)))
	dst = append(dst, typ...)
	dst = append(dst, byte(len(id)))
	return append(dst, id...)
}

// putFixed writes the fixed fields of h into the header at the start of v.
func (h *verHeader) putFixed(v []byte) {
	v[0] = flags(h.deleted)
	binary.BigEndian.PutUint64(v[1:], uint64(h.updated))
	binary.BigEndian.PutUint64(v[9:], uint64(h.version))
	binary.BigEndian.PutUint64(v[17:], h.prev)
}

// decodeVerHeader splits a version value into its header and encoded body.
func decodeVerHeader(v []byte) (verHeader, []byte, error) {
	if len(v) < verFixedLen+2 {
		return verHeader{}, nil, fmt.Errorf("corrupt version record (%d bytes)", len(v))
	}
	h := verHeader{
		deleted: v[0]&flagDeleted != 0,
		updated: int64(binary.BigEndian.Uint64(v[1:])),
		version: int64(binary.BigEndian.Uint64(v[9:])),
		prev:    binary.BigEndian.Uint64(v[17:]),
	}
	rest := v[verFixedLen:]
	for _, f := range []*[]byte{&h.typ, &h.id} {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return verHeader{}, nil, fmt.Errorf("corrupt version record (%d bytes)", len(v))
		}
		*f, rest = rest[1:1+int(rest[0])], rest[1+int(rest[0]):]
	}
	return h, rest, nil
}

// is reports whether h belongs to typ/id.
func (h *verHeader) is(typ, id string) bool { return string(h.typ) == typ && string(h.id) == id }

// decodeVersion turns a version value of typ/id into a Resource, decoding
// the body unless it is a tombstone.
func decodeVersion(c Codec, v []byte, typ, id string) (Resource, error) {
	h, enc, err := decodeVerHeader(v)
	if err != nil {
		return Resource{}, fmt.Errorf("store: %s/%s: %w", typ, id, err)
	}
	if !h.is(typ, id) {
		return Resource{}, fmt.Errorf("store: %s/%s: version record belongs to %s/%s", typ, id, h.typ, h.id)
	}
	return h.resource(c, enc, typ, id)
}

// resource decodes the version whose header is h and encoded body enc.
func (h *verHeader) resource(c Codec, enc []byte, typ, id string) (Resource, error) {
	r := Resource{
		Type: typ, ID: id, Version: h.version,
		Deleted:     h.deleted,
		LastUpdated: fromMillis(h.updated),
	}
	if r.Deleted {
		return r, nil
	}
	var ad [64 + 1 + 64 + 1 + 8]byte
	body, err := c.Decode(nil, enc, appendVersionAD(ad[:0], typ, id, h.version))
	if err != nil {
		return Resource{}, fmt.Errorf("store: %s/%s version %d: %w", typ, id, h.version, err)
	}
	r.Body = body
	return r, nil
}

func flags(deleted bool) byte {
	if deleted {
		return flagDeleted
	}
	return 0
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
