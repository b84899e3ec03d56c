package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"

	"github.com/fhirlake/fhirlake/api"
	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/engine"
	"github.com/fhirlake/fhirlake/ingest"
	"github.com/fhirlake/fhirlake/store"
)

// defaultDataDir is where data lives unless --data or FHIRLAKE_DATA says otherwise.
func defaultDataDir() string {
	if d := os.Getenv("FHIRLAKE_DATA"); d != "" {
		return d
	}
	return "fhirlake-data"
}

// lake is an open data folder: the catalog (which holds the folder lock)
// and the raw store of every data store, opened lazily.
type lake struct {
	cat  *catalog.Catalog
	keys *lakeKeys

	mu        sync.Mutex
	stores    map[string]*store.Store
	clusterer *engine.Clusterer // started on first use
}

// clusterMinRows is the size from which a search index generation is
// clustered (see engine.Clusterer): FHIRLAKE_CLUSTER_MIN_ROWS, or
// 1,000,000 rows (an Observation index of about 500 patients). Smaller
// tables are read whole in a few milliseconds, and clustering them would
// cost an import more than it saves its searches.
func clusterMinRows() int64 {
	if v, err := strconv.ParseInt(os.Getenv("FHIRLAKE_CLUSTER_MIN_ROWS"), 10, 64); err == nil && v > 0 {
		return v
	}
	return 1_000_000
}

// indexing returns the catalog as the view refreshes take it: with the
// clusterer of search index files and the de-identified twins of the
// views (see deidding).
func (l *lake) indexing(ctx context.Context) (ingest.Catalog, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.clusterer == nil {
		c, err := engine.NewClusterer(ctx, l.cat.Dir(), engine.ClusterOptions{})
		if err != nil {
			return nil, err
		}
		l.clusterer = c
	}
	return ingest.WithClusterer(l.deidding(), l.clusterer, clusterMinRows()), nil
}

// openLake opens the data folder for the named subcommand, which the lock
// file records so that a second process can say who holds the folder.
func openLake(dir, command string) (*lake, error) {
	return openLakeWith(dir, command, "", io.Discard)
}

// openLakeWith is openLake with the master key file of --key-file ("" for
// the environment or the default key file) and where to say that a new
// master key was created.
func openLakeWith(dir, command, keyFile string, warn io.Writer) (*lake, error) {
	cat, err := catalog.Open(dir, catalog.Options{Command: "fhirlake " + command})
	if err != nil {
		return nil, err
	}
	keys, err := openKeys(cat.Dir(), keyFile, warn)
	if err != nil {
		return nil, errors.Join(err, cat.Close())
	}
	return &lake{cat: cat, keys: keys, stores: map[string]*store.Store{}}, nil
}

// rawPath is the raw store file of a data store.
func (l *lake) rawPath(ds string) string { return filepath.Join(l.cat.DatastoreDir(ds), "raw.db") }

// store returns the open raw store of the data store, opening it on first use.
func (l *lake) store(ds string) (*store.Store, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stores == nil {
		return nil, fmt.Errorf("data store %s: %w", ds, store.ErrClosed)
	}
	if s, ok := l.stores[ds]; ok {
		return s, nil
	}
	if _, err := l.cat.Datastore(ds); err != nil {
		return nil, err
	}
	s, err := l.keys.openStore(ds, l.rawPath(ds))
	if err != nil {
		return nil, err
	}
	l.stores[ds] = s
	return s, nil
}

// createDatastore registers a data store with the default views, each
// backed by an empty Parquet file so that SQL sees every table at once.
// If that fails (or is interrupted) the data store is removed again.
func (l *lake) createDatastore(ctx context.Context, name string) error {
	if _, err := l.cat.CreateDatastore(name); err != nil {
		return err
	}
	st, err := l.store(name)
	if err == nil {
		err = ingest.InstallDefaultViews(ctx, l.deidding(), name, st)
	}
	if err != nil {
		return errors.Join(err, l.deleteDatastore(name))
	}
	return nil
}

// ensureDatastore creates the data store when it does not exist yet.
func (l *lake) ensureDatastore(ctx context.Context, name string) (created bool, err error) {
	_, err = l.cat.Datastore(name)
	if errors.Is(err, catalog.ErrNotFound) {
		return true, l.createDatastore(ctx, name)
	}
	return false, err
}

func (l *lake) deleteDatastore(name string) error {
	l.mu.Lock()
	if s, ok := l.stores[name]; ok {
		s.Close()
		delete(l.stores, name)
	}
	l.mu.Unlock()
	return l.cat.DeleteDatastore(name)
}

// Lookup implements api.Datastores.
func (l *lake) Lookup(name string) (api.Reader, bool) {
	if !catalog.ValidName(name) {
		return nil, false
	}
	s, err := l.store(name)
	if err != nil {
		return nil, false
	}
	return s, true
}

func (l *lake) datastoreNames() ([]string, error) {
	list, err := l.cat.Datastores()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(list))
	for i, d := range list {
		names[i] = d.Name
	}
	sort.Strings(names)
	return names, nil
}

func (l *lake) Close() error {
	l.mu.Lock()
	var errs []error
	for name, s := range l.stores {
		if err := s.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store %s: %w", name, err))
		}
	}
	l.stores = nil
	if l.clusterer != nil {
		errs = append(errs, l.clusterer.Close())
		l.clusterer = nil
	}
	l.mu.Unlock()
	errs = append(errs, l.cat.Close())
	return errors.Join(errs...)
}
