package store

import (
	"crypto/hmac"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Meta keys recording a store's encryption: the scheme, and a key check
// value (HMAC-SHA256 of the scheme name under a subkey of the store's key)
// by which Open tells a wrong key at once, before any body fails to
// authenticate. The check value reveals nothing about the key.
var (
	metaEncryption = []byte("encryption")
	metaKeyCheck   = []byte("keycheck")
)

// Errors of opening a store with the wrong kind of key, always wrapped in
// a message naming the file; test them with errors.Is.
var (
	// ErrNotEncrypted means Options.Encryption was given for an existing
	// store that holds data in clear. The store is not changed; the caller
	// may open it without Encryption (and warn), or re-import the data
	// into a new, encrypted store. A plaintext store is never mixed with
	// sealed values.
	ErrNotEncrypted = errors.New("store: file is not encrypted")
	// ErrWrongKey means the store is encrypted with another key than the
	// one given.
	ErrWrongKey = errors.New("store: wrong encryption key")
	// ErrKeyRequired means the store is encrypted and no
	// Options.Encryption was given.
	ErrKeyRequired = errors.New("store: file is encrypted")
)

// keyError is an Open failure about keys: its message is made for the
// operator, and it wraps one of the errors above.
type keyError struct {
	msg string
	err error
}

func (e *keyError) Error() string { return e.msg }
func (e *keyError) Unwrap() error { return e.err }

// Encrypted reports whether the store seals what it writes (it was opened
// with Options.Encryption).
func (s *Store) Encrypted() bool { return s.codecs.seal != nil }

// initEncryption checks that the file and Options.Encryption agree, and
// marks a new (or still empty) file as encrypted when they do.
func (s *Store) initEncryption(tx *bolt.Tx) error {
	meta, e := tx.Bucket(bucketMeta), s.codecs.seal
	scheme := meta.Get(metaEncryption)
	switch {
	case scheme != nil && e == nil:
		return &keyError{fmt.Sprintf("store: %s is encrypted: open it with its data store's key", s.path), ErrKeyRequired}
	case scheme != nil && string(scheme) != encScheme:
		return fmt.Errorf("file has encryption %q, this build uses %q", scheme, encScheme)
	case scheme != nil:
		if !hmac.Equal(meta.Get(metaKeyCheck), e.check) {
			return &keyError{fmt.Sprintf("store: %s is encrypted with another key", s.path), ErrWrongKey}
		}
		return nil
	case e == nil:
		return nil
	case tx.Bucket(bucketVersions).Sequence() != 0:
		return &keyError{fmt.Sprintf("store: %s is not encrypted (it holds data in clear): open it without a key, or re-import the data into a new store", s.path), ErrNotEncrypted}
	}
	// Nothing was ever written (no version, hence no dictionary and no
	// identifier), so nothing is in clear: seal from now on.
	if err := meta.Put(metaEncryption, []byte(encScheme)); err != nil {
		return err
	}
	return meta.Put(metaKeyCheck, e.check)
}
