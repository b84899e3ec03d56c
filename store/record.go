package store

import (
	"encoding/binary"
	"fmt"
	"time"
)

// flagDeleted marks a tombstone in heads, version values and changes.
const flagDeleted = 1

// head is the value of a resource in the current bucket: what is needed to
// answer "which version is current, and did the content change?" without
// touching the body.
type head struct {
	version int64
	updated int64 // lastUpdated, Unix milliseconds
	seq     uint64
	deleted bool
	hash    [32]byte // SHA-256 of the canonical content; zero for tombstones
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

// verHeaderLen is the fixed prefix of a version value: flags, lastUpdated
// (Unix ms), seq; the codec-encoded body follows.
const verHeaderLen = 1 + 8 + 8

func appendVerHeader(dst []byte, deleted bool, updated int64, seq uint64) []byte {
	dst = append(dst, flags(deleted))
	dst = binary.BigEndian.AppendUint64(dst, uint64(updated))
	return binary.BigEndian.AppendUint64(dst, seq)
}

// decodeVersion turns a version value into a Resource, decoding the body
// unless it is a tombstone.
func decodeVersion(c Codec, key, v []byte, typ, id string, version int64) (Resource, error) {
	if len(v) < verHeaderLen {
		return Resource{}, fmt.Errorf("store: %s/%s version %d: corrupt record (%d bytes)", typ, id, version, len(v))
	}
	r := Resource{
		Type: typ, ID: id, Version: version,
		Deleted:     v[0]&flagDeleted != 0,
		LastUpdated: fromMillis(int64(binary.BigEndian.Uint64(v[1:]))),
	}
	if r.Deleted {
		return r, nil
	}
	body, err := c.Decode(nil, v[verHeaderLen:], key)
	if err != nil {
		return Resource{}, fmt.Errorf("store: %s/%s version %d: %w", typ, id, version, err)
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
