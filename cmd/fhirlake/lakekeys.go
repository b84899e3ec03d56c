package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sync"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/keyring"
	"github.com/fhirlake/fhirlake/store"
)

// folderKeyName is the keyring entry of what belongs to the data folder
// rather than one data store: the audit log. No data store can be named
// "*" (it means every data store in grants).
const folderKeyName = "*"

// keyFileUsage is the help text of --key-file.
const keyFileUsage = "master key file (default: FHIRLAKE_MASTER_KEY, then fhirlake/master.key in the user's configuration folder, created on first use)"

// keyFileFlag registers --key-file on a command that opens a data folder.
func keyFileFlag(fs *flag.FlagSet) *string { return fs.String("key-file", "", keyFileUsage) }

// lakeKeys is the data folder's keyring: the master key (from --key-file,
// FHIRLAKE_MASTER_KEY, or the default key file, created on first use
// outside the data folder) unwrapping one data key per data store
// (keys.json in the data folder holds only wrapped keys).
type lakeKeys struct {
	kr  *keyring.Keyring
	src keyring.Source

	warnOnce sync.Map // data store -> struct{}: plaintext stores warned about
	warn     io.Writer
}

// openKeys resolves the master key for the data folder dir and opens its
// keyring, saying on warn where a newly created master key was put.
func openKeys(dir, keyFile string, warn io.Writer) (*lakeKeys, error) {
	p, src, err := keyring.Resolve(keyring.Options{KeyFile: keyFile, DataDir: dir, Create: true})
	if err != nil {
		return nil, fmt.Errorf("encryption at rest: %w", err)
	}
	if src.Created {
		fmt.Fprintf(warn, "created the master key %s (fingerprint %s): it encrypts this machine's data folders; back it up and keep it off the data's disk — without it the data cannot be read\n", src.Path, src.Fingerprint)
	}
	kr, err := keyring.Open(context.Background(), filepath.Join(dir, keyring.KeysFileName), p)
	if err != nil {
		return nil, fmt.Errorf("encryption at rest: %w", err)
	}
	return &lakeKeys{kr: kr, src: src, warn: warn}, nil
}

// subkey derives the key of purpose from the data key of name.
func (k *lakeKeys) subkey(name, purpose string) ([]byte, error) {
	dk, err := k.kr.DataKey(context.Background(), name)
	if err != nil {
		return nil, fmt.Errorf("encryption at rest: %w", err)
	}
	return dk.Derive(purpose), nil
}

// openStore opens a raw store encrypted with its data store's key. A
// store written before encryption at rest stays readable in clear, with a
// warning once per process.
func (k *lakeKeys) openStore(ds, path string) (*store.Store, error) {
	key, err := k.subkey(ds, keyring.PurposeRawStore)
	if err != nil {
		return nil, err
	}
	enc, err := store.NewEncryption(key)
	if err != nil {
		return nil, err
	}
	s, err := store.Open(path, store.Options{Encryption: enc})
	if errors.Is(err, store.ErrNotEncrypted) {
		if _, warned := k.warnOnce.LoadOrStore(ds, struct{}{}); !warned {
			fmt.Fprintf(k.warn, "warning: data store %s was written before encryption at rest: its raw store stays in clear (import it into a new data store to encrypt it)\n", ds)
		}
		return store.Open(path, store.Options{})
	}
	return s, err
}

// auditOptions returns opts with the audit log's sealing key, unless the
// log was written in clear before encryption at rest.
func (k *lakeKeys) auditOptions(dir string, opts audit.Options) (audit.Options, error) {
	key, err := k.subkey(folderKeyName, keyring.PurposeAudit)
	if err != nil {
		return opts, err
	}
	sealed, err := audit.IsSealed(dir)
	if err != nil {
		return opts, err
	}
	if !sealed && hasAuditRecords(dir) {
		fmt.Fprintln(k.warn, "warning: the audit log was written before encryption at rest and stays in clear")
		return opts, nil
	}
	opts.SealKey = key
	return opts, nil
}

// auditReader returns the reader of the data folder's audit log.
func (k *lakeKeys) auditReader(dir string, hmacKey []byte) (audit.Reader, error) {
	r := audit.Reader{Dir: dir, Key: hmacKey}
	sealed, err := audit.IsSealed(dir)
	if err != nil || !sealed {
		return r, err
	}
	r.SealKey, err = k.subkey(folderKeyName, keyring.PurposeAudit)
	return r, err
}

// jobsKey is the sealing key of a data store's import job files.
func (k *lakeKeys) jobsKey(ds string) ([]byte, error) {
	return k.subkey(ds, keyring.PurposeImport)
}

// hasAuditRecords reports whether the audit folder holds any segment with
// data.
func hasAuditRecords(dir string) bool {
	n := 0
	_ = audit.Reader{Dir: dir}.Rows(context.Background(), func(audit.Record) error {
		n++
		return errStopScan
	})
	return n > 0
}

var errStopScan = errors.New("stop")
