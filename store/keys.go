package store

import "encoding/binary"

// Bucket names.
var (
	bucketMeta     = []byte("meta")
	bucketCurrent  = []byte("current")
	bucketVersions = []byte("versions")
	bucketCounts   = []byte("counts")
	// bucketIdentifiers indexes Identifier values, see identifiers.go.
	bucketIdentifiers = []byte("identifiers")
)

// sep separates key parts; neither type names nor FHIR ids can contain it.
const sep = 0x00

// All key construction and parsing lives in this file so that ids can later
// be replaced by a keyed hash (the id is also kept in each version value).

// resKey is the key of a resource in the current bucket: type 0x00 id.
func resKey(typ, id string) []byte {
	k := make([]byte, 0, len(typ)+1+len(id))
	return appendResKey(k, typ, id)
}

func appendResKey(dst []byte, typ, id string) []byte {
	dst = append(dst, typ...)
	dst = append(dst, sep)
	return append(dst, id...)
}

// typePrefix is the prefix of every current key of one type: type 0x00.
func typePrefix(typ string) []byte {
	return append([]byte(typ), sep)
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

// seqKeyLen is the length of a version key.
const seqKeyLen = 8

// seqKey is the key of a version in the versions bucket: its change
// sequence number, big endian, so new versions always append at the right
// edge of the B+tree.
func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, seqKeyLen), seq)
}

func seqFromKey(k []byte) uint64 { return binary.BigEndian.Uint64(k) }

// appendVersionAD appends the associated data a version body is encoded
// with: type 0x00 id 0x00 version (8 bytes, big endian). It binds a stored
// body to the resource version it belongs to, and is known before the
// version's sequence number is, so bodies can be encoded outside the write
// transaction.
func appendVersionAD(dst []byte, typ, id string, version int64) []byte {
	dst = appendResKey(dst, typ, id)
	dst = append(dst, sep)
	return binary.BigEndian.AppendUint64(dst, uint64(version))
}

// The identifiers bucket has two key layouts. In a plain store:
//
//	type 0x00 value 0x00 system 0x00 id
//
// Identifier values and systems are strings that may in principle hold
// 0x00; such identifiers are not indexed (in either layout). In an
// encrypted store the value and system are replaced by keyed hashes
// (HMAC-SHA256 truncated to identHashLen bytes, bound to the type), so
// that the file holds no MRN or social security number in clear:
//
//	type 0x00 H(value) H(system) id
//
// Both layouts put every key of one value, then of one system, under a
// common prefix, which is what FindByIdentifier scans.

// identKey is the key of one identifier of typ/id.
func identKey(e *Encryption, typ, system, value, id string) []byte {
	if e == nil {
		k := plainIdentPrefix(typ, value)
		k = append(k, system...)
		k = append(k, sep)
		return append(k, id...)
	}
	k := make([]byte, 0, len(typ)+1+2*identHashLen+len(id))
	k = append(k, typ...)
	k = append(k, sep)
	k = e.appendMAC(k, identHashLen, domainValue, typ, []byte(value))
	k = e.appendMAC(k, identHashLen, domainSystem, typ, []byte(system))
	return append(k, id...)
}

// identLookup returns the prefix of the keys that may answer q and a
// function that returns the id of a key under it, if that key matches q.
func identLookup(e *Encryption, typ string, q IdentifierQuery) ([]byte, func(k []byte) (string, bool)) {
	if e == nil {
		prefix := plainIdentPrefix(typ, q.Value)
		return prefix, func(k []byte) (string, bool) {
			system, id, ok := splitIdentKey(k, len(prefix))
			return id, ok && (q.AnySystem || system == q.System)
		}
	}
	prefix := append([]byte(typ), sep)
	prefix = e.appendMAC(prefix, identHashLen, domainValue, typ, []byte(q.Value))
	if !q.AnySystem {
		prefix = e.appendMAC(prefix, identHashLen, domainSystem, typ, []byte(q.System))
	}
	idAt := len(typ) + 1 + 2*identHashLen
	return prefix, func(k []byte) (string, bool) {
		return string(k[min(idAt, len(k)):]), len(k) > idAt
	}
}

// plainIdentPrefix is the prefix of the plain index keys of one value:
// type 0x00 value 0x00.
func plainIdentPrefix(typ, value string) []byte {
	k := make([]byte, 0, len(typ)+len(value)+2)
	k = append(k, typ...)
	k = append(k, sep)
	k = append(k, value...)
	return append(k, sep)
}

// splitIdentKey returns the system and id of a plain index key whose
// prefix (of length n) is already known.
func splitIdentKey(k []byte, n int) (system, id string, ok bool) {
	rest := k[n:]
	for i, c := range rest {
		if c == sep {
			return string(rest[:i]), string(rest[i+1:]), true
		}
	}
	return "", "", false
}
