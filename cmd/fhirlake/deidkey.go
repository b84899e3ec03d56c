package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/fhirlake/fhirlake/ingest"
)

// deidKeyFile is the file, in a data store's folder, holding the secret
// key of its de-identification: the de-identified views (schema deid)
// and exports (_deid=safe-harbor) pseudonymise ids and identifiers with
// it, so it must stay the same for the data store's life and must not
// leave the server (with it, a pseudonym of a guessed identifier can be
// checked).
const deidKeyFile = "deid.key"

// deidKeySize is the key's length: 32 random bytes (HMAC-SHA-256).
const deidKeySize = 32

// deidding returns the catalog as view materializations take it: every
// view keeps a de-identified twin (schema deid in SQL), keyed by the data
// store's deid.key (see ingest.WithDeid).
func (l *lake) deidding() ingest.Catalog { return ingest.WithDeid(l.cat, l.deidKey) }

// deidKey returns the de-identification key of data store ds, creating it
// (32 random bytes, mode 0600) on first use. Creation is a hard link of a
// complete temporary file, which fails if the key exists: of two first
// uses at once, both return the key that won.
func (l *lake) deidKey(ds string) ([]byte, error) {
	path := filepath.Join(l.cat.DatastoreDir(ds), deidKeyFile)
	key, err := readDeidKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key = make([]byte, deidKeySize)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	tmp, err := writeKeyFile(filepath.Dir(path), key)
	if err != nil {
		return nil, fmt.Errorf("deid key %s: %w", path, err)
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		return readDeidKey(path)
	} else if err != nil {
		return nil, fmt.Errorf("deid key %s: %w", path, err)
	}
	return key, nil
}

// readDeidKey reads a key file; a missing one is an error wrapping
// fs.ErrNotExist.
func readDeidKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	switch {
	case err != nil:
		return nil, fmt.Errorf("deid key: %w", err)
	case len(key) != deidKeySize:
		return nil, fmt.Errorf("deid key %s: %d bytes, want %d", path, len(key), deidKeySize)
	}
	return key, nil
}

// writeKeyFile writes key to a new temporary file of dir with mode 0600,
// syncs it and returns its path.
func writeKeyFile(dir string, key []byte) (string, error) {
	f, err := os.CreateTemp(dir, deidKeyFile+".*.tmp")
	if err != nil {
		return "", err
	}
	_, err = f.Write(key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
