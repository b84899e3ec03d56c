package lockout

import "time"

// entry is what a table remembers of one user or address.
type entry struct {
	key      string
	failures int           // failures since the count was last reset
	last     time.Time     // time of the last failure counted
	until    time.Time     // end of the current or last lock; zero if never locked
	lockedAt int           // failures that led to the last lock
	length   time.Duration // length of the last lock; zero if never locked

	prev, next *entry // in the table's list, least recently failed first
}

// locked reports whether e is locked at now.
func (e *entry) locked(now time.Time) bool { return now.Before(e.until) }

// idle reports whether e has nothing left to remember at now: not locked,
// its failures forgotten, and no lock recent enough to double.
func (e *entry) idle(now time.Time, window time.Duration) bool {
	return !e.locked(now) &&
		(e.failures == 0 || now.Sub(e.last) > window) &&
		(e.length == 0 || now.Sub(e.until) > MaxLockout)
}

// table is a bounded map of entries, for users or for addresses, with
// the entries in a list from least to most recently failed.
type table struct {
	max        int
	m          map[string]*entry
	head, tail *entry
}

func newTable(max int) *table { return &table{max: max, m: map[string]*entry{}} }

// get returns the entry of key, or nil.
func (t *table) get(key string) *entry { return t.m[key] }

// touch returns the entry of key, made if needed, and moves it to the
// list's tail. Making one in a full table first forgets idle entries at
// the list's head, then evicts one (see evict).
func (t *table) touch(key string, now time.Time, window time.Duration) *entry {
	if e := t.m[key]; e != nil {
		t.unlink(e)
		t.push(e)
		return e
	}
	t.sweep(now, window)
	if len(t.m) >= t.max {
		t.evict(now)
	}
	e := &entry{key: key}
	t.m[key] = e
	t.push(e)
	return e
}

// sweep forgets the idle entries at the list's head. It stops at the
// first entry that is not idle, so its cost is what it frees plus one.
func (t *table) sweep(now time.Time, window time.Duration) {
	for t.head != nil && t.head.idle(now, window) {
		t.remove(t.head)
	}
}

// evictScan is how far evict looks for an unlocked entry.
const evictScan = 64

// evict removes the least recently failed entry that is not locked among
// the first evictScan, or else the least recently failed one: a flood of
// new names or addresses can push out a lock only once it has filled the
// table with locks of its own.
func (t *table) evict(now time.Time) {
	victim := t.head
	for e, n := t.head, 0; e != nil && n < evictScan; e, n = e.next, n+1 {
		if !e.locked(now) {
			victim = e
			break
		}
	}
	if victim != nil {
		t.remove(victim)
	}
}

// remove forgets e.
func (t *table) remove(e *entry) {
	t.unlink(e)
	delete(t.m, e.key)
}

func (t *table) push(e *entry) {
	e.prev, e.next = t.tail, nil
	if t.tail != nil {
		t.tail.next = e
	} else {
		t.head = e
	}
	t.tail = e
}

func (t *table) unlink(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		t.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		t.tail = e.prev
	}
	e.prev, e.next = nil, nil
}
