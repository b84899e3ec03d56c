package keyring

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"
)

// KeysFileName is the conventional name of the keys file inside a data
// folder. It holds only wrapped keys, so it may live next to the data.
const KeysFileName = "keys.json"

// fileFormatVersion is the version of the keys.json layout.
const fileFormatVersion = 1

// keysFile is the persisted form: wrapped data keys only, never a master
// key or an unwrapped data key.
type keysFile struct {
	Format     int                   `json:"format"`
	Datastores map[string]*storeKeys `json:"datastores"`
}

// storeKeys are the key versions of one data store.
type storeKeys struct {
	Current int          `json:"current"`
	Keys    []wrappedKey `json:"keys"`
}

// wrappedKey is one data key version wrapped by a Provider.
type wrappedKey struct {
	Version  int       `json:"version"`
	Provider string    `json:"provider"`
	Wrapped  []byte    `json:"wrapped"`
	Created  time.Time `json:"created"`
}

type cacheKey struct {
	datastore string
	version   int
}

// Keyring holds the data keys of one data folder. Methods are safe for
// concurrent use.
type Keyring struct {
	mu    sync.Mutex
	path  string
	p     Provider
	f     keysFile
	cache map[cacheKey]DataKey
}

// Open loads the wrapped keys at path (a missing file is an empty keyring,
// created on the first DataKey) and unwraps every one of them with p, so
// that a wrong master key fails here, before any data is touched.
func Open(ctx context.Context, path string, p Provider) (*Keyring, error) {
	k := &Keyring{path: path, p: p, cache: map[cacheKey]DataKey{}}
	k.f = keysFile{Format: fileFormatVersion, Datastores: map[string]*storeKeys{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return k, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: open: %w", err)
	}
	if err := json.Unmarshal(b, &k.f); err != nil {
		return nil, fmt.Errorf("keyring: open %s: %w", path, err)
	}
	if k.f.Format != fileFormatVersion {
		return nil, fmt.Errorf("keyring: open %s: unsupported format %d", path, k.f.Format)
	}
	if k.f.Datastores == nil {
		k.f.Datastores = map[string]*storeKeys{}
	}
	for ds, sk := range k.f.Datastores {
		for _, wk := range sk.Keys {
			dk, err := unwrapKey(ctx, p, ds, wk)
			if err != nil {
				return nil, fmt.Errorf("keyring: open %s: %w", path, err)
			}
			k.cache[cacheKey{ds, wk.Version}] = dk
		}
		if _, ok := k.cache[cacheKey{ds, sk.Current}]; !ok {
			return nil, fmt.Errorf("keyring: open %s: data store %q: current key version %d is missing", path, ds, sk.Current)
		}
	}
	return k, nil
}

// Path returns the keys file path.
func (k *Keyring) Path() string { return k.path }

// Datastores returns the names of the data stores that have keys, sorted.
func (k *Keyring) Datastores() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	names := make([]string, 0, len(k.f.Datastores))
	for ds := range k.f.Datastores {
		names = append(names, ds)
	}
	sort.Strings(names)
	return names
}

// DataKey returns the current data key of datastore. The first call for a
// data store generates a random key, wraps it and persists the keys file
// before returning.
func (k *Keyring) DataKey(ctx context.Context, datastore string) (DataKey, error) {
	if err := checkDatastore(datastore); err != nil {
		return DataKey{}, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if sk, ok := k.f.Datastores[datastore]; ok {
		return k.cache[cacheKey{datastore, sk.Current}], nil
	}
	dk := DataKey{datastore: datastore, version: 1}
	if _, err := rand.Read(dk.key[:]); err != nil {
		return DataKey{}, fmt.Errorf("keyring: data store %q: random key: %w", datastore, err)
	}
	wk, err := wrapKey(ctx, k.p, dk)
	if err != nil {
		return DataKey{}, err
	}
	next := k.f.clone()
	next.Datastores[datastore] = &storeKeys{Current: 1, Keys: []wrappedKey{wk}}
	if err := k.save(next); err != nil {
		return DataKey{}, err
	}
	k.cache[cacheKey{datastore, 1}] = dk
	return dk, nil
}

// KeyVersion returns a specific version of datastore's key, for reading
// data written before a data-key rotation.
func (k *Keyring) KeyVersion(datastore string, version int) (DataKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	dk, ok := k.cache[cacheKey{datastore, version}]
	if !ok {
		return DataKey{}, fmt.Errorf("keyring: data store %q has no key version %d", datastore, version)
	}
	return dk, nil
}

// Rewrap re-wraps every data key under newP and atomically replaces the
// keys file; the data keys themselves, and so all data, are unchanged.
// Afterwards the keyring uses newP. On error the file and the keyring are
// left as they were.
func (k *Keyring) Rewrap(ctx context.Context, newP Provider) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	next := k.f.clone()
	for ds, sk := range next.Datastores {
		for i, wk := range sk.Keys {
			dk := k.cache[cacheKey{ds, wk.Version}]
			nwk, err := wrapKey(ctx, newP, dk)
			if err != nil {
				return fmt.Errorf("keyring: rewrap: %w", err)
			}
			// Prove the new wrapping opens before the old one is dropped.
			back, err := unwrapKey(ctx, newP, ds, nwk)
			if err != nil {
				return fmt.Errorf("keyring: rewrap: check new wrapping: %w", err)
			}
			if back.key != dk.key {
				return fmt.Errorf("keyring: rewrap: data store %q v%d unwraps to a different key under the new provider", ds, wk.Version)
			}
			nwk.Created = wk.Created
			sk.Keys[i] = nwk
		}
	}
	if err := k.save(next); err != nil {
		return fmt.Errorf("keyring: rewrap: %w", err)
	}
	k.p = newP
	return nil
}

// save writes f atomically (mode 0600) and makes it current.
func (k *Keyring) save(f keysFile) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("keyring: encode keys file: %w", err)
	}
	if err := writeFileAtomic(k.path, append(b, '\n'), 0o600); err != nil {
		return err
	}
	k.f = f
	return nil
}

func (f keysFile) clone() keysFile {
	out := keysFile{Format: f.Format, Datastores: make(map[string]*storeKeys, len(f.Datastores))}
	for ds, sk := range f.Datastores {
		out.Datastores[ds] = &storeKeys{Current: sk.Current, Keys: append([]wrappedKey(nil), sk.Keys...)}
	}
	return out
}

// binding is appended to a data key before wrapping, so that a wrapped key
// copied to another data store's entry in the keys file is refused.
func binding(datastore string, version int) []byte {
	return []byte("fhirlake data key v1\x00" + datastore + "\x00" + strconv.Itoa(version))
}

func wrapKey(ctx context.Context, p Provider, dk DataKey) (wrappedKey, error) {
	payload := append(dk.Bytes(), binding(dk.datastore, dk.version)...)
	defer clear(payload)
	w, err := p.Wrap(ctx, payload)
	if err != nil {
		return wrappedKey{}, fmt.Errorf("keyring: data store %q v%d: wrap with %s: %w", dk.datastore, dk.version, p.Name(), err)
	}
	return wrappedKey{Version: dk.version, Provider: p.Name(), Wrapped: w, Created: time.Now().UTC()}, nil
}

func unwrapKey(ctx context.Context, p Provider, datastore string, wk wrappedKey) (DataKey, error) {
	if wk.Provider != p.Name() {
		return DataKey{}, fmt.Errorf("keyring: data store %q v%d is wrapped by provider %q, not %q", datastore, wk.Version, wk.Provider, p.Name())
	}
	payload, err := p.Unwrap(ctx, wk.Wrapped)
	if err != nil {
		return DataKey{}, fmt.Errorf("keyring: data store %q v%d: %w", datastore, wk.Version, err)
	}
	defer clear(payload)
	want := binding(datastore, wk.Version)
	if len(payload) != KeySize+len(want) || !bytes.Equal(payload[KeySize:], want) {
		return DataKey{}, fmt.Errorf("keyring: data store %q v%d: wrapped key belongs to another data store or version (keys file edited?)", datastore, wk.Version)
	}
	dk := DataKey{datastore: datastore, version: wk.Version}
	copy(dk.key[:], payload)
	return dk, nil
}

func checkDatastore(name string) error {
	if name == "" || len(name) > 256 || bytes.IndexByte([]byte(name), 0) >= 0 {
		return fmt.Errorf("keyring: invalid data store name %q", name)
	}
	return nil
}
