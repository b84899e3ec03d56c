package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Options configure a Store. The zero value is ready for production use.
type Options struct {
	// Now returns the current time, used for meta.lastUpdated. Defaults to
	// time.Now; tests set a fixed clock.
	Now func() time.Time
	// NoSync skips fsync on commit. Tests only: an acknowledged write may
	// be lost on power failure.
	NoSync bool
	// LockTimeout is how long Open waits for another holder of the file to
	// let go before failing with ErrLocked. Defaults to 1s.
	LockTimeout time.Duration
	// Codec encodes stored bodies. Defaults to Zstd(), with which the
	// store also trains a compression dictionary per resource type (kept
	// in the file). A file must always be opened with the codec it was
	// created with.
	Codec Codec
	// Encryption, when set, seals every body and dictionary and hashes
	// identifier index keys (see "Encryption at rest" in the package
	// documentation). A new file is created encrypted; an encrypted file
	// must be opened with the Encryption of the same key; an existing
	// plaintext file that holds data is refused with ErrNotEncrypted. Nil
	// stores everything as Codec encodes it.
	Encryption *Encryption
}

// Store is one data store: a bbolt file of versioned FHIR resources. It is
// safe for concurrent use; writes are serialised, reads run in parallel
// with each other and with a writer.
type Store struct {
	db     *bolt.DB
	path   string
	now    func() time.Time
	codecs codecs
	wmu    sync.Mutex // serialises Put, Delete and Apply's commits, see Put
	group  groupCommit

	lastMu sync.Mutex
	last   time.Time // lastUpdated of the latest commit, see clock

	resident residency // see touched
}

// initialMmap is 1 GiB on 64-bit platforms, 0 (grow as needed) elsewhere.
const initialMmap = 1 << 30 * (strconv.IntSize / 64)

// formatVersion is the on-disk layout version recorded in the meta bucket.
// Format 2 keys versions by change sequence; format 1 (unreleased) keyed
// them by type/id/version and had a separate changes bucket.
const formatVersion = "2"

// Open opens the store file at path, creating it (and its directory) if
// needed. If another process holds the file, Open fails with ErrLocked
// after opts.LockTimeout.
func Open(path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	if opts.Codec == nil {
		opts.Codec = Zstd()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      opts.LockTimeout,
		NoSync:       opts.NoSync,
		FreelistType: bolt.FreelistMapType,
		// 4 KiB pages: with dictionary compression most bodies take a few
		// hundred bytes, and every transaction rewrites each current page
		// it inserts into (random ids), so small pages mean less to copy
		// and fsync. On the 10,000-patient import 4 KiB pages made a
		// slightly smaller file than 16 KiB ones at the same speed.
		PageSize: 4 << 10,
		// Map 1 GiB of address space up front (only touched pages use
		// memory), so the file can grow that far without remapping, which
		// copies every dirty node and waits for open read transactions.
		InitialMmapSize: initialMmap,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("store: open %s: %w (gave up after %s)", path, ErrLocked, opts.LockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, now: opts.Now}
	_, isDefault := opts.Codec.(zstdCodec)
	s.codecs.base, s.codecs.auto, s.codecs.seal = opts.Codec, isDefault, opts.Encryption
	err = db.Update(func(tx *bolt.Tx) error {
		if err := s.initBuckets(tx); err != nil {
			return err
		}
		if err := s.initEncryption(tx); err != nil {
			return err
		}
		if err := s.loadDicts(tx); err != nil {
			return err
		}
		s.last = lastCommit(tx)
		return s.indexIdentifiers(tx)
	})
	if err != nil {
		_ = db.Close()
		var ke *keyError
		if errors.As(err, &ke) {
			return nil, ke
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// initBuckets creates the buckets of a new file and checks the format and
// codec of an existing one.
func (s *Store) initBuckets(tx *bolt.Tx) error {
	if meta := tx.Bucket(bucketMeta); meta != nil {
		if got := meta.Get([]byte("format")); string(got) != formatVersion {
			return fmt.Errorf("file has on-disk format %q, this build reads only format %q (no migration: re-import the data into a new store)", got, formatVersion)
		}
	} else if tx.Bucket(bucketCurrent) != nil {
		return errors.New("file has no format marker: not a fhirlake store, or one from an older build (re-import the data into a new store)")
	}
	for _, name := range [][]byte{bucketMeta, bucketCurrent, bucketVersions, bucketCounts, bucketIdentifiers} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bucketMeta)
	for _, kv := range [][2]string{{"format", formatVersion}, {"codec", s.codecs.base.Name()}} {
		got := meta.Get([]byte(kv[0]))
		if got == nil {
			if err := meta.Put([]byte(kv[0]), []byte(kv[1])); err != nil {
				return err
			}
			continue
		}
		if string(got) != kv[1] {
			return fmt.Errorf("file has %s %q, this build uses %q", kv[0], got, kv[1])
		}
	}
	return nil
}

// Path returns the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close closes the file. Operations after Close fail with ErrClosed.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// view runs fn in a read transaction.
func (s *Store) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return mapClosed(s.db.View(fn))
}

// update runs fn in a write transaction, committed (and fsync'd) only if
// fn succeeds and ctx is still live.
func (s *Store) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return mapClosed(s.db.Update(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return ctx.Err()
	}))
}

func mapClosed(err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}
