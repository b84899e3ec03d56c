package store

// arena hands out byte slices that stay valid for a whole write
// transaction, as bbolt requires of keys and values given to Put, with far
// fewer allocations than one per slice.
type arena struct{ slab []byte }

// Slabs start small, for one-resource transactions, and double up to
// arenaMax for bulk ones.
const (
	arenaMin = 4 << 10
	arenaMax = 1 << 20
)

// copy returns a stable copy of b.
func (a *arena) copy(b []byte) []byte {
	if len(b) > arenaMax/4 {
		return append([]byte(nil), b...)
	}
	if cap(a.slab)-len(a.slab) < len(b) {
		size := min(max(2*cap(a.slab), arenaMin), arenaMax)
		for size < len(b) {
			size *= 2
		}
		a.slab = make([]byte, 0, size)
	}
	n := len(a.slab)
	a.slab = append(a.slab, b...)
	return a.slab[n:len(a.slab):len(a.slab)]
}
