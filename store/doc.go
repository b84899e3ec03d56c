// Package store is fhirlake's raw, versioned system of record: every FHIR
// resource version ever accepted, kept in one bbolt file per data store.
//
// A [Store] is opened with [Open]. [Store.Put] writes a batch of resources
// in one ACID transaction that is fsync'd before it returns, so an
// acknowledged write survives a crash (bbolt is a copy-on-write B+tree).
// Each write of changed content creates a new version (1, 2, 3, ...) whose
// body carries meta.versionId and meta.lastUpdated; re-writing identical
// content is detected by hash and creates nothing ([Unchanged]).
// [Store.Delete] writes a versioned tombstone. [Store.Read], [Store.VRead]
// and [Store.History] follow the FHIR read, vread and history interactions
// (https://hl7.org/fhir/R4/http.html); [Store.Scan] streams the current
// version of every resource of one type for the flattener.
//
// Every version written gets a number from a per-store, strictly increasing
// change sequence. [Store.Changes] lists the changes after a given sequence
// number, so consumers can refresh derived views incrementally: read
// [Store.Seq], [Store.Scan] everything, then replay [Store.Changes] since
// that sequence number.
//
// # File layout
//
// The bbolt file holds five buckets:
//
//	meta      "format" -> 1, "codec" -> codec name
//	current   type 0x00 id               -> head (version, lastUpdated, seq, deleted, content hash)
//	versions  type 0x00 id 0x00 version  -> flags, lastUpdated, seq, Codec(body)
//	changes   seq (big endian)           -> flags, type 0x00 id 0x00 version
//	counts    type                       -> number of current, non-deleted resources
//
// Keys are built in one place (keys.go) so that ids can later be replaced by
// a keyed hash without touching the rest of the package. Version values
// pass through a [Codec] (zstd compression by default) that receives the key
// as associated data; that is the seam where envelope encryption (AES-GCM)
// plugs in.
package store
