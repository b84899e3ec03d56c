package apitoken

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Prefix starts every secret.
const Prefix = "flk_"

// HashScheme starts every hash New returns.
const HashScheme = "sha256:"

const (
	// IDLen is the length of a token id.
	IDLen = 12
	// keyBytes is the number of random bytes in a secret.
	keyBytes = 32
	// keyLen is the length of the base64url key of a secret.
	keyLen = 43
	// SecretLen is the length of a secret.
	SecretLen = len(Prefix) + IDLen + 1 + keyLen
)

// idEncoding encodes ids: lowercase base32hex, safe in URLs, file names
// and shell words without quoting.
var idEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// New returns a fresh token: its secret (what the client sends as
// "Authorization: Bearer <secret>"), its id (public, for list and revoke)
// and the hash to store. The error is only ever that of crypto/rand.
func New() (secret, id, hash string, err error) {
	var raw [8 + keyBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", "", "", fmt.Errorf("apitoken: random: %w", err)
	}
	id = idEncoding.EncodeToString(raw[:8])[:IDLen]
	secret = Prefix + id + "_" + base64.RawURLEncoding.EncodeToString(raw[8:])
	return secret, id, Hash(secret), nil
}

// Hash returns the hash stored for secret: "sha256:" and the hex SHA-256
// of the secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return HashScheme + hex.EncodeToString(sum[:])
}

// Matches reports whether secret hashes to hash, in constant time (the
// lengths of secret and hash aside). A hash of another scheme never
// matches.
func Matches(secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(Hash(secret)), []byte(hash)) == 1
}

// Parse returns the id inside a secret of the form New makes, and ok=false
// for anything else: a wrong length or prefix, a character outside the
// alphabets, or a key that is not the canonical encoding of 32 bytes. It
// neither allocates nor hashes, so a server can reject other bearer
// tokens (a JWT never has the prefix) before any work.
func Parse(secret string) (id string, ok bool) {
	if len(secret) != SecretLen || !strings.HasPrefix(secret, Prefix) || secret[len(Prefix)+IDLen] != '_' {
		return "", false
	}
	id = secret[len(Prefix) : len(Prefix)+IDLen]
	if !ValidID(id) {
		return "", false
	}
	key := secret[len(Prefix)+IDLen+1:]
	for i := 0; i < len(key); i++ {
		if b64Value(key[i]) < 0 {
			return "", false
		}
	}
	// 43 characters carry 258 bits for 256: the last one's two low bits
	// are padding and zero in the canonical encoding.
	if b64Value(key[len(key)-1])&3 != 0 {
		return "", false
	}
	return id, true
}

// ValidID reports whether id has the form of a token id: IDLen characters
// of lowercase base32hex (0-9, a-v).
func ValidID(id string) bool {
	if len(id) != IDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'v') {
			return false
		}
	}
	return true
}

// b64Value returns the value of c in the base64url alphabet, or -1.
func b64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '-':
		return 62
	case c == '_':
		return 63
	}
	return -1
}
