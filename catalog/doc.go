// Package catalog owns a fhirlake data folder: the lock that keeps a
// second process out, the schema version of the on-disk layout, and the
// metadata of every data store: its views (ViewDefinitions) and the
// Parquet files behind each view.
//
// The catalog is a bbolt file, <data>/catalog.db. It holds metadata
// only; resources live in each data store's raw store (package store)
// and in Parquet files under the data store's folder.
package catalog
