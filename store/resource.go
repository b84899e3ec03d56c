package store

import (
	"errors"
	"time"
)

// Resource is one stored version of a FHIR resource.
type Resource struct {
	Type, ID string
	// Version is meta.versionId as an integer; the first version is 1.
	Version int64
	// LastUpdated is meta.lastUpdated: UTC, millisecond precision.
	LastUpdated time.Time
	// Deleted marks a tombstone, the version written by Delete.
	Deleted bool
	// Body is the resource JSON (compact), with meta.versionId (a string)
	// and meta.lastUpdated (RFC 3339 with milliseconds and "Z") set. It is
	// nil for tombstones. The caller owns it.
	Body []byte
}

// Input is one resource to write with [Store.Put].
type Input struct {
	Type, ID string
	// Body is a FHIR resource JSON object. Its resourceType must equal Type
	// and its id, if present, must equal ID. Its meta.versionId and
	// meta.lastUpdated are replaced; other meta elements are kept.
	Body []byte
}

// Outcome says what [Store.Put] did with one Input.
type Outcome int

// The outcomes of a Put.
const (
	// Created means a new resource was written as version 1, or a deleted
	// one was brought back with a new version.
	Created Outcome = iota + 1
	// Updated means a new version of an existing resource was written.
	Updated
	// Unchanged means the content equals the current version (ignoring
	// meta.versionId and meta.lastUpdated), so nothing was written.
	Unchanged
	// Deleted means a tombstone was written ([Store.Apply]).
	Deleted
)

// String returns the outcome's lower-case name.
func (o Outcome) String() string {
	switch o {
	case Created:
		return "created"
	case Updated:
		return "updated"
	case Unchanged:
		return "unchanged"
	case Deleted:
		return "deleted"
	}
	return "unknown"
}

// Errors returned by the store, always wrapped with context; test them
// with errors.Is.
var (
	// ErrNotFound means no such resource (or version) was ever stored.
	ErrNotFound = errors.New("store: not found")
	// ErrDeleted means the resource (or version) is a tombstone. Read and
	// VRead return the tombstone Resource along with it.
	ErrDeleted = errors.New("store: deleted")
	// ErrInvalid means an Input, type or id was rejected.
	ErrInvalid = errors.New("store: invalid resource")
	// ErrLocked means another process (or another Open in this one) holds
	// the file.
	ErrLocked = errors.New("store: file is locked by another process")
	// ErrClosed means the Store was closed.
	ErrClosed = errors.New("store: closed")
)
