//go:build !linux

package store

// releaseMapped does nothing where madvise is not used: the pages stay
// resident until the kernel reclaims them.
func releaseMapped(addr uintptr, size int64) {}
