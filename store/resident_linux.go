package store

import "golang.org/x/sys/unix"

// releaseMapped drops size bytes of mapped file pages at addr from the
// process's resident set. Errors are ignored: the call only saves memory.
func releaseMapped(addr uintptr, size int64) {
	if addr == 0 || size <= 0 {
		return
	}
	_, _, _ = unix.Syscall(unix.SYS_MADVISE, addr, uintptr(size), unix.MADV_DONTNEED)
}
