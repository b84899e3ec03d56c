// Package catalog owns a fhirlake data folder: the lock that keeps a
// second process out, the schema version of the on-disk layout, and the
// metadata of every data store: its views (ViewDefinitions) and the
// Parquet files behind each view.
//
// The catalog is a bbolt file, <data>/catalog.db. It holds metadata
// only; resources live in each data store's raw store (package store)
// and in Parquet files under the data store's folder.
//
// Obsolete files: [Catalog.PutView] and [Catalog.DeleteView] never delete
// Parquet files, because a running server's SQL engine may still read
// them. The files a change leaves unnamed are recorded, in the same
// transaction, as the data store's garbage ([Catalog.Garbage]); the
// caller removes them with [Catalog.Sweep] once nothing reads them: at
// once when no server runs, after the engine's refresh when one does.
package catalog
