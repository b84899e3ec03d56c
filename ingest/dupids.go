package ingest

import (
	"hash/maphash"
	"math"
	"math/bits"
)

// idSet remembers, for one file (or one Bundle), where each resource key
// ("Type/id", or a Bundle entry's fullUrl) was first seen, so that a later
// occurrence can be rejected naming the first.
//
// It stores 64-bit hashes of the keys, not the keys: 12 bytes a slot (the
// hash and a 4-byte position). Once the set is large its load stays
// between 0.64 and 0.8, so it holds 15 to 19 bytes a key (12 M keys:
// about 190–225 MB, 193–220 MB measured; see BenchmarkIDSet); a set of
// fewer than about 200 k keys may hold up to twice that (at most about
// 3 MB), for speed.
//
// Two different keys share a hash with probability 2^-64, so among n keys
// a false "duplicate" is reported with probability about n²/2^65: 4·10⁻⁶
// for a file of 12 M resources, 3·10⁻¹⁰ for 100 k.
//
// The slots are spread over segments chosen by the top 8 bits of the hash
// (a single segment while the set is small), each an open-addressing table
// with linear probing that grows on its own. Memory thus follows the
// number of keys closely, and a growth never holds more than one segment
// twice, where a single table doubling would briefly hold three times its
// keys' worth.
//
// An idSet is not safe for concurrent use. The zero value is not usable;
// call newIDSet.
type idSet struct {
	seedA, seedB maphash.Seed
	lastA        string // the last first part hashed, and its hash
	lastHashA    uint64
	segs         []idSegment // 1, then idSegments
	shift        uint        // a hash k is in segs[k>>shift]: 64, then 56
	n            int
}

// idSegments is the number of segments of a large set, chosen by the top
// 8 bits of a hash; a set splits its single segment into them when it
// holds idSplitAt keys.
const (
	idSegments = 256
	idSplitAt  = 1024
)

// Load bounds of a segment: it grows when more than idLoadNum/idLoadDen
// of its slots would be used, doubling while it has fewer than
// idSmallSlots slots (so small sets rehash little), and by
// idGrowNum/idGrowDen beyond (so large sets stay tight).
const (
	idLoadNum, idLoadDen = 4, 5
	idGrowNum, idGrowDen = 5, 4
	idMinSlots           = 16
	idSmallSlots         = 1024
)

// idSegment is an open-addressing table of slots; a slot whose key is 0
// is empty (a hash of 0 is stored as 1).
type idSegment struct {
	slots []idSlot
	n     int
}

// idSlot is a hash and its position, packed in idSlotBytes so that a
// probe and the insert that follows touch one cache line.
type idSlot struct {
	lo, hi, pos uint32
}

// idSlotBytes is the size of an idSlot.
const idSlotBytes = 12

func (sl *idSlot) key() uint64 { return uint64(sl.hi)<<32 | uint64(sl.lo) }

func (sl *idSlot) set(k uint64, pos uint32) {
	sl.lo, sl.hi, sl.pos = uint32(k), uint32(k>>32), pos
}

func newIDSet() *idSet {
	s := &idSet{seedA: maphash.MakeSeed(), seedB: maphash.MakeSeed(), segs: make([]idSegment, 1), shift: 64}
	s.lastHashA = maphash.String(s.seedA, s.lastA)
	return s
}

// hash returns the hash of the key (a, b): a resource type and an id, or
// a kind of key ("fullUrl") and its value. The two parts are hashed with
// independent seeds and combined, which is as good as hashing the pair
// and cheaper than hashing a concatenation.
func (s *idSet) hash(a, b string) uint64 {
	if a != s.lastA { // runs of one type are the rule: hash it once
		s.lastA, s.lastHashA = a, maphash.String(s.seedA, a)
	}
	if k := s.lastHashA ^ maphash.String(s.seedB, b); k != 0 {
		return k
	}
	return 1
}

// lookup returns the position stored for hash k, if any.
func (s *idSet) lookup(k uint64) (int, bool) {
	seg := &s.segs[k>>s.shift]
	if seg.n == 0 {
		return 0, false
	}
	i := seg.home(k)
	for {
		switch seg.slots[i].key() {
		case k:
			return int(seg.slots[i].pos), true
		case 0:
			return 0, false
		}
		if i++; i == len(seg.slots) {
			i = 0
		}
	}
}

// add stores pos for hash k unless k is already there; it returns the
// position stored first and whether k was already there. Positions above
// math.MaxUint32 are stored as math.MaxUint32.
func (s *idSet) add(k uint64, pos int) (first int, dup bool) {
	if s.n == idSplitAt && len(s.segs) == 1 {
		s.split()
	}
	seg := &s.segs[k>>s.shift]
	if (seg.n+1)*idLoadDen > len(seg.slots)*idLoadNum {
		seg.grow()
	}
	i := seg.home(k)
	for {
		switch seg.slots[i].key() {
		case k:
			return int(seg.slots[i].pos), true
		case 0:
			seg.slots[i].set(k, uint32(min(pos, math.MaxUint32)))
			seg.n++
			s.n++
			return pos, false
		}
		if i++; i == len(seg.slots) {
			i = 0
		}
	}
}

// split spreads the single segment over idSegments segments.
func (s *idSet) split() {
	old := s.segs[0]
	s.segs, s.shift = make([]idSegment, idSegments), 56
	for _, sl := range old.slots {
		if k := sl.key(); k != 0 {
			s.segs[k>>s.shift].put(k, sl.pos)
		}
	}
}

// len returns the number of keys stored.
func (s *idSet) len() int { return s.n }

// bytes returns the memory held by the slots.
func (s *idSet) bytes() int {
	n := 0
	for i := range s.segs {
		n += cap(s.segs[i].slots) * idSlotBytes
	}
	return n
}

// home maps k to its first slot. The top 8 bits choose the segment; the
// next bits are spread over the slots by multiplication, so the number of
// slots need not be a power of two.
func (seg *idSegment) home(k uint64) int {
	hi, _ := bits.Mul64(k<<8, uint64(len(seg.slots)))
	return int(hi)
}

// grow rehashes the segment into more slots (idMinSlots at first).
func (seg *idSegment) grow() {
	n := max(idMinSlots, 2*len(seg.slots))
	if len(seg.slots) >= idSmallSlots {
		n = len(seg.slots) * idGrowNum / idGrowDen
	}
	old := seg.slots
	seg.slots, seg.n = make([]idSlot, n), 0
	for _, sl := range old {
		if k := sl.key(); k != 0 {
			seg.put(k, sl.pos)
		}
	}
}

// put stores a key known to be absent, growing the segment if needed.
func (seg *idSegment) put(k uint64, pos uint32) {
	if (seg.n+1)*idLoadDen > len(seg.slots)*idLoadNum {
		seg.grow()
	}
	i := seg.home(k)
	for seg.slots[i].key() != 0 {
		if i++; i == len(seg.slots) {
			i = 0
		}
	}
	seg.slots[i].set(k, pos)
	seg.n++
}
