package store

import (
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// trimEvery is how many bytes a process may read or write through the
// store between two releases of the file's mapped pages (see
// Store.touched).
const trimEvery = 256 << 20

// residency counts the bytes moved through the store since its mapped
// pages were last released.
type residency struct {
	touched atomic.Int64
}

// touched records that n more bytes of resources were read or written, and
// every trimEvery bytes tells the kernel that the pages of the bbolt file
// mapped into this process are not needed any more.
//
// bbolt reads through a shared, read-only memory map of the whole file. A
// scan over every resource (a view rebuild) or a long import touches
// every page, and the kernel counts each touched page in the process's
// resident set until memory runs short: a 100,000-patient import ended
// with the whole multi-gigabyte file resident. The pages are clean copies
// of the file, so releasing them (MADV_DONTNEED) loses nothing: the next
// read maps them again from the page cache. The release runs inside a
// read transaction, which holds bbolt's mmap lock, so the mapping cannot
// be replaced or unmapped while it is released.
func (s *Store) touched(n int) {
	if s.resident.touched.Add(int64(n)) < trimEvery {
		return
	}
	s.resident.touched.Store(0)
	s.release()
}

// release drops the store file's mapped pages from the resident set.
func (s *Store) release() {
	_ = s.db.View(func(tx *bolt.Tx) error {
		releaseMapped(s.db.Info().Data, tx.Size())
		return nil
	})
}
