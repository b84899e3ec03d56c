// Package apitoken makes and checks fhirlake's opaque API tokens: long
// random secrets that a script or service sends as
// "Authorization: Bearer <secret>" instead of a password.
//
// A token has a public id, used to list and revoke it, and a secret that
// is shown once, when the token is created, and never stored: the catalog
// keeps only its hash. New makes a token, Parse finds the id inside a
// secret (and rejects anything else, such as a JWT, without hashing it),
// and Matches checks a presented secret against a stored hash in constant
// time.
//
// # Format
//
// A secret reads
//
//	flk_<id>_<key>
//
// where id is 12 lowercase base32hex characters (0-9, a-v; 60 random
// bits) and key is 32 random bytes from crypto/rand in unpadded base64url
// (43 characters), 60 characters in all. The "flk_" prefix lets secret
// scanners recognise a leaked fhirlake token, and lets a server tell one
// from a JWT (which starts "eyJ" and holds dots) at a glance.
//
// The stored hash is "sha256:" followed by the lowercase hex SHA-256 of
// the whole secret. A plain hash is enough: unlike a password, the secret
// has 256 bits of entropy, so a stolen hash cannot be brute-forced and a
// slow key-derivation function (bcrypt, scrypt, PBKDF2) would only slow
// down every request.
package apitoken
