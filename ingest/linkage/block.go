package linkage

import (
	"slices"
	"strconv"
)

// blockKeys returns the blocking keys of a record, sorted and without
// repeats: birth year with the Soundex code of the family name, the full
// birth date, and each identifier system|value. Two records are compared
// only when they share a key.
func blockKeys(r *record) []string {
	keys := make([]string, 0, 2+len(r.ids))
	if sx := soundex(r.familyS); sx != "" && r.y != 0 {
		keys = append(keys, "n|"+strconv.Itoa(r.y)+"|"+sx)
	}
	if r.y != 0 && r.m != 0 && r.d != 0 {
		keys = append(keys, "d|"+strconv.Itoa(r.y*10000+r.m*100+r.d))
	}
	for _, id := range r.ids {
		keys = append(keys, "i|"+id.System+"|"+id.Value)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// blocks groups record indexes by blocking key. Each block lists its
// records in increasing index order.
type blocks struct {
	keys    []string         // sorted keys of blocks with at least two records
	members map[string][]int // key → record indexes
	of      [][]string       // record index → its keys
}

// newBlocks computes the blocks of recs.
func newBlocks(recs []record) *blocks {
	b := &blocks{members: map[string][]int{}, of: make([][]string, len(recs))}
	for i := range recs {
		b.of[i] = blockKeys(&recs[i])
		for _, k := range b.of[i] {
			b.members[k] = append(b.members[k], i)
		}
	}
	for k, m := range b.members {
		if len(m) > 1 {
			b.keys = append(b.keys, k)
		} else {
			delete(b.members, k)
		}
	}
	slices.Sort(b.keys)
	return b
}

// firstShared reports whether key is the smallest key that records i and
// j share, so that a pair found in several blocks is compared once. Both
// key lists are sorted.
func (b *blocks) firstShared(i, j int, key string, maxBlock int) bool {
	x, y := b.of[i], b.of[j]
	for p, q := 0, 0; p < len(x) && q < len(y); {
		switch {
		case x[p] < y[q]:
			p++
		case x[p] > y[q]:
			q++
		default:
			if x[p] == key {
				return true
			}
			if n := len(b.members[x[p]]); n > 1 && n <= maxBlock {
				return false // compared in that earlier block
			}
			p++
			q++
		}
	}
	return false
}
