// Package keyring holds fhirlake's encryption keys: one master key (KEK)
// per installation and one data key (DEK) per data store, wrapped by the
// master key (envelope encryption).
//
// The main types are:
//
//   - MasterKey: 32 random bytes. It never prints itself; String returns a
//     redacted form with its fingerprint.
//   - Provider: wraps and unwraps data keys. LocalProvider does it with a
//     MasterKey and AES-256-GCM; a KMS plugin implements the same
//     interface.
//   - Resolve: finds the master key, in the order --key-file, the
//     FHIRLAKE_MASTER_KEY environment variable, then the default key file
//     in the user's configuration directory (created on first start when
//     Options.Create is set).
//   - Keyring: the data keys of one data folder, persisted as wrapped keys
//     in a small JSON file (conventionally <datadir>/keys.json). Rewrap
//     re-wraps every data key under a new master key without touching the
//     data ("fhirlake key rotate").
//   - DataKey: one data store's key, with HKDF-SHA256 subkeys per purpose
//     (raw store, Parquet footer and columns, audit log, export, import).
//
// # Key file format
//
// A key file holds one line: the standard base64 encoding (RFC 4648, with
// padding) of the 32 key bytes, followed by a newline, so that
//
//	FHIRLAKE_MASTER_KEY=$(cat master.key)
//
// works. The file must not be readable or writable by group or others
// (mode 0600) and must not lie inside the data folder: the master key is
// never stored next to the data it protects.
//
// # Wrapped key format (LocalProvider, version 1)
//
//	1 byte version (1) || 8-byte master key fingerprint || 12-byte nonce || AES-256-GCM(ciphertext || tag)
//
// with AAD = version || fingerprint. The fingerprint lets Unwrap tell a
// wrong master key ("wrong master key (fingerprint X, data wrapped under
// Y)") from a damaged blob.
package keyring
