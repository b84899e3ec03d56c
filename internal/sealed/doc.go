// Package sealed encrypts fhirlake's own files and values at rest with
// AES-256-GCM from the Go standard library.
//
// Two formats are provided:
//
//   - A chunked stream (NewWriter, NewReader) for files of any size:
//     export NDJSON, audit segments, import job folders. Plaintext is cut
//     into 64 KiB chunks; each chunk is sealed separately so that a reader
//     never holds more than one chunk, and tampering, truncation,
//     reordering and appended data are all detected.
//   - A single value (Seal, Open, Box) for small records such as raw-store
//     resource versions, bound to their identity through the AAD.
//
// # Stream format (version 1)
//
// A stream starts with a 34-byte header:
//
//	offset size field
//	0      4    magic "FLSE"
//	4      1    version (1)
//	5      1    reserved (0)
//	6      4    chunk size in bytes, big endian (65536)
//	10     16   random salt
//	26     8    random nonce prefix
//
// The stream key is HKDF-SHA256(key, salt, "fhirlake sealed stream v1"),
// so every stream has its own AES key even when many files share one data
// key; nonce reuse across files is therefore impossible. Chunk i (counted
// from 0) is AES-256-GCM with nonce = prefix || uint32(i) big endian and
// AAD = header || final || caller AAD, where final is 1 for the last chunk
// and 0 otherwise. Every chunk but the last holds exactly chunk-size
// plaintext bytes; the last holds 0 to chunk-size bytes, so an empty
// stream is a header and one empty final chunk (16-byte tag).
//
// A reader recognises the last chunk by end of input. Cutting a stream at
// a chunk boundary leaves a non-final chunk last, which fails to
// authenticate as final; appending data makes the real final chunk fail to
// authenticate as non-final; swapping chunks changes their nonces.
//
// # Value format (version 1)
//
//	1 byte version (1) || 12-byte random nonce || ciphertext || 16-byte tag
//
// with AAD = version || caller AAD. Nonces are random, so one key should
// seal fewer than 2^32 values (NIST SP 800-38D); a data key version is
// expected to be rotated long before that.
package sealed
