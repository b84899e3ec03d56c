package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketGarbage, inside a data store's bucket, maps the path (relative to
// the data store's folder) of each file no view names any more to the
// time it became garbage.
var bucketGarbage = []byte("garbage")

// discard records the files of old that are not in keep as garbage, and
// takes the files of keep out of the garbage (a view may name a file
// again).
func (c *Catalog) discard(tx *bolt.Tx, ds string, old, keep []File) error {
	b, err := tx.Bucket(bucketStores).Bucket([]byte(ds)).CreateBucketIfNotExists(bucketGarbage)
	if err != nil {
		return err
	}
	kept := make(map[string]bool, len(keep))
	for _, f := range keep {
		kept[f.Path] = true
		if err := b.Delete([]byte(f.Path)); err != nil {
			return err
		}
	}
	now, _ := time.Now().UTC().MarshalText()
	for _, f := range old {
		if !kept[f.Path] {
			if err := b.Put([]byte(f.Path), now); err != nil {
				return err
			}
		}
	}
	return nil
}

// Garbage lists the files of data store ds (paths relative to its folder,
// sorted) that no view names any more and that Sweep will remove.
func (c *Catalog) Garbage(ds string) ([]string, error) {
	return c.garbageOlder(ds, 0)
}

func (c *Catalog) garbageOlder(ds string, age time.Duration) ([]string, error) {
	cutoff := time.Now().Add(-age)
	var out []string
	err := c.db.View(func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketStores).Bucket([]byte(ds))
		if sb == nil {
			return fmt.Errorf("data store %q: %w", ds, ErrNotFound)
		}
		if b := sb.Bucket(bucketGarbage); b != nil {
			return b.ForEach(func(k, v []byte) error {
				var at time.Time
				if age > 0 && at.UnmarshalText(v) == nil && at.After(cutoff) {
					return nil // too recent
				}
				out = append(out, string(k))
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: garbage of %s: %w", ds, err)
	}
	sort.Strings(out)
	return out, nil
}

// Sweep deletes the garbage files of data store ds from disk and forgets
// them, and returns how many it removed (a file already gone counts).
//
// Call it only when nothing can still read the old files: right after a
// view change when no server runs, or after the server's SQL engine has
// been refreshed to the new files. PutView and DeleteView never delete.
func (c *Catalog) Sweep(ds string) (int, error) {
	return c.SweepOlder(ds, 0)
}

// SweepOlder is Sweep restricted to files that became garbage at least age
// ago. A running server uses it after a view change: DuckDB opens a
// view's Parquet files lazily, so a query that started before the change
// may still open an old file; files are kept for age (and always until
// the next start) so such queries finish.
func (c *Catalog) SweepOlder(ds string, age time.Duration) (int, error) {
	paths, err := c.garbageOlder(ds, age)
	if err != nil || len(paths) == 0 {
		return 0, err
	}
	base := c.DatastoreDir(ds)
	var done []string
	var errs []error
	for _, p := range paths {
		full := filepath.Join(base, p)
		if rel, err := filepath.Rel(base, full); err != nil || !filepath.IsLocal(rel) {
			errs = append(errs, fmt.Errorf("catalog: sweep %s: %q is outside the data store", ds, p))
			continue
		}
		if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("catalog: sweep %s: %w", ds, err))
			continue
		}
		done = append(done, p)
	}
	err = c.db.Update(func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketStores).Bucket([]byte(ds))
		if sb == nil || sb.Bucket(bucketGarbage) == nil {
			return nil // deleted meanwhile
		}
		b := sb.Bucket(bucketGarbage)
		for _, p := range done {
			if err := b.Delete([]byte(p)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("catalog: sweep %s: %w", ds, err))
	}
	return len(done), errors.Join(errs...)
}

// RemoveOrphans deletes the files in data store ds's views folder that no
// view names and that are not recorded as garbage: the parts and *.tmp
// files a crash or a failed rebuild left behind. Call it only while no
// view of ds is being rebuilt (at start-up, or before an import).
func (c *Catalog) RemoveOrphans(ds string) (int, error) {
	views, err := c.Views(ds)
	if err != nil {
		return 0, err
	}
	garbage, err := c.Garbage(ds)
	if err != nil {
		return 0, err
	}
	known := map[string]bool{}
	for _, g := range garbage {
		known[g] = true
	}
	for _, v := range views {
		for _, f := range v.Files {
			known[f.Path] = true
		}
	}
	n := 0
	var errs []error
	// views/ and its param=<code>/ folders of clustered search index
	// files (see File.Partitioned).
	dirs := []string{"views"}
	for len(dirs) > 0 {
		dir := dirs[0]
		dirs = dirs[1:]
		entries, err := os.ReadDir(filepath.Join(c.DatastoreDir(ds), dir))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("catalog: orphans of %s: %w", ds, err)
		}
		for _, e := range entries {
			rel := filepath.Join(dir, e.Name())
			if e.IsDir() {
				switch {
				case dir == "views" && strings.HasPrefix(e.Name(), "param="):
					dirs = append(dirs, rel)
				case dir == "views" && strings.HasPrefix(e.Name(), ".cluster-"):
					// The scratch of a clustering a crash interrupted.
					if err := os.RemoveAll(filepath.Join(c.DatastoreDir(ds), rel)); err != nil {
						errs = append(errs, fmt.Errorf("catalog: orphans of %s: %w", ds, err))
					} else {
						n++
					}
				}
				continue
			}
			if known[rel] {
				continue
			}
			if err := os.Remove(filepath.Join(c.DatastoreDir(ds), rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("catalog: orphans of %s: %w", ds, err))
				continue
			}
			n++
		}
	}
	return n, errors.Join(errs...)
}
