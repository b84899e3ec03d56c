package store

import "encoding/binary"

// Bucket names.
var (
	bucketMeta     = []byte("meta")
	bucketCurrent  = []byte("current")
	bucketVersions = []byte("versions")
	bucketChanges  = []byte("changes")
	bucketCounts   = []byte("counts")
)

// sep separates key parts; neither type names nor FHIR ids can contain it.
const sep = 0x00

// resKey is the key of a resource in the current bucket: type 0x00 id.
// All key construction and parsing lives in this file so that ids can later
// be replaced by a keyed hash (keeping the id in the value).
func resKey(typ, id string) []byte {
	k := make([]byte, 0, len(typ)+1+len(id))
	return appendResKey(k, typ, id)
}

func appendResKey(dst []byte, typ, id string) []byte {
	dst = append(dst, typ...)
	dst = append(dst, sep)
	return append(dst, id...)
}

// typePrefix is the prefix of every key of one type: type 0x00.
func typePrefix(typ string) []byte {
	return append([]byte(typ), sep)
}

// verKey is the key of one version in the versions bucket:
// type 0x00 id 0x00 version (8 bytes, big endian).
func appendVerKey(dst, rk []byte, version int64) []byte {
	dst = append(dst, rk...)
	dst = append(dst, sep)
	return binary.BigEndian.AppendUint64(dst, uint64(version))
}

// splitResKey returns the type and id of a resource key.
func splitResKey(k []byte) (typ, id string, ok bool) {
	for i, c := range k {
		if c == sep {
			return string(k[:i]), string(k[i+1:]), true
		}
	}
	return "", "", false
}

// splitVerKey returns the type, id and version of a version key.
func splitVerKey(k []byte) (typ, id string, version int64, ok bool) {
	if len(k) < 9 || k[len(k)-9] != sep {
		return "", "", 0, false
	}
	typ, id, ok = splitResKey(k[:len(k)-9])
	return typ, id, int64(binary.BigEndian.Uint64(k[len(k)-8:])), ok
}

// seqKey is the key of a change: its sequence number, big endian.
func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq)
}

func seqFromKey(k []byte) uint64 { return binary.BigEndian.Uint64(k) }
