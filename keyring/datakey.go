package keyring

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"strconv"
)

// Purposes for DataKey.Derive. Each writer derives its own subkey so that
// no two formats ever share a key.
const (
	PurposeRawStore      = "raw-store"
	PurposeParquetFooter = "parquet-footer"
	PurposeParquetColumn = "parquet-column"
	PurposeSearchIndex   = "search-index"
	PurposeAudit         = "audit"
	PurposeExport        = "export"
	PurposeImport        = "import"
)

// DataKey is one version of one data store's data-encryption key. Like
// MasterKey it never prints its bytes.
type DataKey struct {
	datastore string
	version   int
	key       [KeySize]byte
}

// Datastore returns the data store the key belongs to.
func (d DataKey) Datastore() string { return d.datastore }

// Version returns the key version (1 for the first key of a data store).
func (d DataKey) Version() int { return d.version }

// Bytes returns a copy of the raw 32-byte key. Prefer Derive: a subkey per
// purpose keeps formats apart.
func (d DataKey) Bytes() []byte {
	b := make([]byte, KeySize)
	copy(b, d.key[:])
	return b
}

// Derive returns a 32-byte subkey for purpose (one of the Purpose
// constants, or another fixed label): HKDF-SHA256 with the data key as
// secret, no salt, and info "fhirlake data key v1" NUL purpose. The same
// key and purpose always give the same subkey. It returns nil only if the
// standard library refuses the derivation, which it does not for these
// sizes.
func (d DataKey) Derive(purpose string) []byte {
	k, err := hkdf.Key(sha256.New, d.key[:], nil, "fhirlake data key v1\x00"+purpose, KeySize)
	if err != nil {
		return nil
	}
	return k
}

// String returns a redacted description.
func (d DataKey) String() string {
	return "DataKey(" + strconv.Quote(d.datastore) + " v" + strconv.Itoa(d.version) + ", redacted)"
}

// GoString is String.
func (d DataKey) GoString() string { return d.String() }

// Format makes every fmt verb print the redacted form.
func (d DataKey) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte(d.String()))
}
