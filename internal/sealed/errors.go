package sealed

import "errors"

// ErrAuth reports that a chunk or value failed authentication: the key or
// AAD is wrong, or the bytes were modified, truncated or reordered.
var ErrAuth = errors.New("message authentication failed (wrong key or tampered file)")

// ErrFormat reports bytes that are not in the sealed format at all (bad
// magic, unknown version, impossible sizes).
var ErrFormat = errors.New("not a sealed file")

// ErrTruncated reports a stream that ends before its final chunk.
var ErrTruncated = errors.New("truncated stream (no final chunk)")

// ErrKeySize reports a key that is not 32 bytes long.
var ErrKeySize = errors.New("key must be 32 bytes (AES-256)")
