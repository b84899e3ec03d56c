package catalog

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the version of the on-disk layout this build writes.
// Open refuses a data folder written by a newer layout.
const SchemaVersion = 1

// Sentinel errors.
var (
	ErrNotFound = errors.New("catalog: not found")
	ErrExists   = errors.New("catalog: already exists")
)

var (
	bucketMeta   = []byte("meta")
	bucketStores = []byte("datastores")
	keySchema    = []byte("schema_version")
)

// Catalog is an open data folder. It holds the folder's lock until Close.
// Its methods are safe for concurrent use.
type Catalog struct {
	dir  string
	db   *bolt.DB
	lock *lockFile
}

// Datastore is one data store: a FHIR database with its own raw store,
// views and Parquet files, exposed to SQL as a database of that name.
type Datastore struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

// View is a ViewDefinition registered in a data store, with the Parquet
// files that hold its current rows.
type View struct {
	Name       string          `json:"name"`       // SQL table name
	Resource   string          `json:"resource"`   // FHIR resource type
	Definition json.RawMessage `json:"definition"` // the ViewDefinition JSON
	Files      []File          `json:"files"`      // current Parquet files
	// Rows counts the rows of the data files; after incremental
	// refreshes it includes superseded rows until the next full rebuild.
	Rows    int64     `json:"rows"`
	Updated time.Time `json:"updated"`
	// Default marks a view shipped with fhirlake and not changed since;
	// a replaced default view is custom.
	Default bool `json:"default,omitempty"`
	// Layout is the version of the file layout Files were written in
	// (0: before keyed files). A reader that does not know it rebuilds
	// the view rather than guess.
	Layout int `json:"layout,omitempty"`
	// Base is the raw store's change sequence number read before the
	// generation-1 files were built: they reflect every change up to it.
	// Later generations hold the changes after it, so they can be
	// compacted into one by re-flattening the resources changed since
	// Base. 0 means unknown (a view built by an older version).
	Base uint64 `json:"base,omitempty"`
	// Kind is "" for a view defined by a ViewDefinition, or KindSearch
	// for the search index table of resource type Resource (no
	// Definition).
	Kind string `json:"kind,omitempty"`
}

// KindSearch marks the search index table of a resource type: one row per
// search parameter value, built by package search, hidden from users' view
// lists and served to SQL in the data store's "search" schema.
const KindSearch = "search"

// KindDeid marks the de-identified twin of a view: the same
// ViewDefinition flattened from the data store's resources after Safe
// Harbor de-identification (package deid). Its catalog name is
// DeidName(view); it is hidden from users' view lists, follows its view
// (rebuilt, refreshed, replaced and deleted with it) and is served to SQL
// in the data store's "deid" schema under the view's own name.
const KindDeid = "deid"

// deidPrefix starts the catalog name of a de-identified twin. A view name
// holds no dot, so a twin's name never collides with a view's.
const deidPrefix = "deid."

// DeidName is the catalog name of the de-identified twin of view.
func DeidName(view string) string { return deidPrefix + view }

// DeidOf returns the name of the view whose de-identified twin is named
// name, and whether name is a twin's name.
func DeidOf(name string) (string, bool) {
	view, ok := strings.CutPrefix(name, deidPrefix)
	return view, ok && ValidName(view)
}

// Derived reports whether v is fhirlake's own table derived from the raw
// store (a search index or a de-identified twin) rather than a user's
// view: view listings leave it out and users cannot change it.
func (v View) Derived() bool { return v.Kind == KindSearch || v.Kind == KindDeid }

// SearchIndexName is the catalog name of the search index table of a
// resource type.
func SearchIndexName(resourceType string) string {
	return "search_" + strings.ToLower(resourceType)
}

// CurrentLayout is the file layout this version writes: keyed data files
// and deletes files (see File).
const CurrentLayout = 1

// KeyColumn is the column of a view's data files that holds the id of the
// resource a row came from, and the only column of a deletes file. It is
// not part of the view's table. View column names start with a letter, so
// it never collides with one.
const KeyColumn = "_rid"

// File is one Parquet file of a view.
//
// A view is merge-on-read: its files come in generations, numbered by Gen
// from 1 for the files of a full rebuild upwards, one generation per
// incremental refresh. A data file holds rows of the view, each with the
// id of the resource it came from in KeyColumn. A deletes file (Deletes
// set) lists the ids of resources that changed or were deleted: their
// rows in data files of earlier generations are superseded, and the
// current rows of the changed ones are in the data files of the deletes
// file's own generation. These are the semantics of Iceberg v2 equality
// deletes.
type File struct {
	Path    string `json:"path"` // relative to the data store's folder
	Rows    int64  `json:"rows"`
	Bytes   int64  `json:"bytes"`
	Gen     int    `json:"gen,omitempty"`
	Deletes bool   `json:"deletes,omitempty"`
	// Since is the raw store's change sequence number after which the
	// changes of this file's generation start (generations above 1): the
	// generation holds every resource changed after it, up to the next
	// generation's Since. 0 when unknown (written by an older version).
	Since uint64 `json:"since,omitempty"`
	// Partitioned marks a clustered search index file (engine.Clusterer):
	// it lives under views/param=<code>/, which gives its rows' param
	// column (hive style), and it has no KeyColumn (its id is the key).
	Partitioned bool `json:"partitioned,omitempty"`
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// ValidName reports whether name can name a data store or view: it must
// also be a plain SQL identifier and a safe folder name.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// Options tune Open.
type Options struct {
	// Command names the holder in the lock file, e.g. "fhirlake serve";
	// a second process quotes it. Default: this process's command line.
	Command string
}

// Open opens (creating if needed) the data folder dir. It fails at once
// with a *LockedError when another process holds the folder. At most one
// Options is used.
func Open(dir string, opts ...Options) (*Catalog, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(abs, "stores"), 0o700); err != nil {
		return nil, fmt.Errorf("catalog: create data folder: %w", err)
	}
	lock, err := acquireLock(abs, o.Command)
	if err != nil {
		return nil, err
	}
	db, err := bolt.Open(filepath.Join(abs, "catalog.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("catalog: open catalog.db: %w", err)
	}
	c := &Catalog{dir: abs, db: db, lock: lock}
	if err := c.init(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Catalog) init() error {
	return c.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketStores); err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketUsers); err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketTokens); err != nil {
			return err
		}
		if err := initGrants(tx); err != nil {
			return err
		}
		if v := meta.Get(keySchema); v != nil {
			got := binary.BigEndian.Uint64(v)
			if got > SchemaVersion {
				return fmt.Errorf("catalog: %s has on-disk schema version %d; this build reads up to %d, upgrade fhirlake", c.dir, got, SchemaVersion)
			}
			return nil
		}
		return meta.Put(keySchema, binary.BigEndian.AppendUint64(nil, SchemaVersion))
	})
}

// Advertise records in the lock file the base URL of the HTTP API this
// process serves, so that a command that finds the data folder locked can
// hand its work to it (LockedError.Holder.HTTP).
func (c *Catalog) Advertise(httpURL string) error {
	c.lock.holder.HTTP = httpURL
	if err := c.lock.write(); err != nil {
		return fmt.Errorf("catalog: advertise: %w", err)
	}
	return nil
}

// Dir returns the absolute path of the data folder.
func (c *Catalog) Dir() string { return c.dir }

// DatastoreDir returns the folder of the named data store.
func (c *Catalog) DatastoreDir(name string) string { return filepath.Join(c.dir, "stores", name) }

// Close releases the catalog and the folder lock.
func (c *Catalog) Close() error {
	err := c.db.Close()
	if lerr := c.lock.release(); err == nil {
		err = lerr
	}
	return err
}

// CreateDatastore registers a new data store and creates its folder.
func (c *Catalog) CreateDatastore(name string) (Datastore, error) {
	if !ValidName(name) {
		return Datastore{}, fmt.Errorf("catalog: invalid data store name %q: use lowercase letters, digits and _, starting with a letter (at most 63)", name)
	}
	ds := Datastore{Name: name, Created: time.Now().UTC().Truncate(time.Millisecond)}
	err := c.db.Update(func(tx *bolt.Tx) error {
		root := tx.Bucket(bucketStores)
		if root.Bucket([]byte(name)) != nil {
			return fmt.Errorf("catalog: data store %q: %w", name, ErrExists)
		}
		b, err := root.CreateBucket([]byte(name))
		if err != nil {
			return err
		}
		if _, err := b.CreateBucket([]byte("views")); err != nil {
			return err
		}
		info, _ := json.Marshal(ds)
		if err := b.Put([]byte("info"), info); err != nil {
			return err
		}
		// A folder of that name that the catalog does not know is what a
		// crash in DeleteDatastore left behind: its data is deleted data.
		if err := os.RemoveAll(c.DatastoreDir(name)); err != nil {
			return err
		}
		return os.MkdirAll(filepath.Join(c.DatastoreDir(name), "views"), 0o700)
	})
	if err != nil {
		return Datastore{}, err
	}
	return ds, nil
}

// keyMaterialized, in a data store's bucket, holds the raw store's change
// sequence up to which every view reflects the raw store.
var keyMaterialized = []byte("materialized_seq")

// MaterializedSeq returns the raw-store change sequence up to which the
// views of ds are known to be current (0 when never recorded). Changes
// after it must be flattened before SQL sees them.
func (c *Catalog) MaterializedSeq(ds string) (uint64, error) {
	var seq uint64
	err := c.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStores).Bucket([]byte(ds))
		if b == nil {
			return fmt.Errorf("catalog: data store %q: %w", ds, ErrNotFound)
		}
		if v := b.Get(keyMaterialized); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return seq, err
}

// SetMaterializedSeq records that the views of ds reflect every raw-store
// change up to seq. Call it only after the views were rebuilt.
func (c *Catalog) SetMaterializedSeq(ds string, seq uint64) error {
	return c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStores).Bucket([]byte(ds))
		if b == nil {
			return fmt.Errorf("catalog: data store %q: %w", ds, ErrNotFound)
		}
		return b.Put(keyMaterialized, binary.BigEndian.AppendUint64(nil, seq))
	})
}

// Datastores lists the data stores, sorted by name.
func (c *Catalog) Datastores() ([]Datastore, error) {
	var out []Datastore
	err := c.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStores).ForEachBucket(func(k []byte) error {
			var ds Datastore
			if err := json.Unmarshal(tx.Bucket(bucketStores).Bucket(k).Get([]byte("info")), &ds); err != nil {
				return fmt.Errorf("catalog: data store %q: %w", k, err)
			}
			out = append(out, ds)
			return nil
		})
	})
	return out, err
}

// Datastore returns the named data store, or an error wrapping ErrNotFound.
func (c *Catalog) Datastore(name string) (Datastore, error) {
	var ds Datastore
	err := c.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStores).Bucket([]byte(name))
		if b == nil {
			return fmt.Errorf("catalog: data store %q: %w", name, ErrNotFound)
		}
		return json.Unmarshal(b.Get([]byte("info")), &ds)
	})
	return ds, err
}

// DeleteDatastore removes a data store from the catalog, then its folder.
// The caller must have closed the data store's raw store.
func (c *Catalog) DeleteDatastore(name string) error {
	err := c.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketStores).Bucket([]byte(name)) == nil {
			return fmt.Errorf("catalog: data store %q: %w", name, ErrNotFound)
		}
		if err := deleteGrants(tx, func(_, ds string) bool { return ds == name }); err != nil {
			return err
		}
		return tx.Bucket(bucketStores).DeleteBucket([]byte(name))
	})
	if err != nil {
		return err
	}
	if err := os.RemoveAll(c.DatastoreDir(name)); err != nil {
		return fmt.Errorf("catalog: remove data store folder: %w", err)
	}
	return nil
}
